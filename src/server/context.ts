import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Hosts } from './hosts.js';
import type { JobRegistry } from './job-registry.js';
import type { EventsOptions } from './ws/events.js';
import type { VmListCacheOptions } from './vm-list-cache.js';

/** The Fastify instance with TypeBox schemas as the type provider: handlers see typed input. */
export type Api = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What every route module gets: the hosts the server speaks for and the jobs it runs. */
export interface ServerContext {
  hosts: Hosts;
  jobs: JobRegistry;
  /** Directories an ISO (or other installer file) named in a request must lie in. */
  allowedDirs: string[];
  /** Limits of /api/events (queues, sampling); the defaults suit a server, tests make them small. */
  events?: EventsOptions;
  /** The in-memory VM list's sampling periods (src/server/vm-list-cache.ts). */
  vmList?: Partial<VmListCacheOptions>;
  /**
   * The root the host routes (`/api/status`'s KVM test, `/api/host/check`, `/devices`, `/overhead`)
   * probe below, as the CLI's `--root DIR` (default `/`, the live machine). Tests point it at a
   * fixture tree (test/fixtures/hosts) to show hardware this machine does not have.
   */
  hostRoot?: string;
}
