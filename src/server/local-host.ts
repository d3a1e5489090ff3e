import { PhyllomeError } from '../errors.js';
import { remoteHostOf } from '../machines/model-host-facts.js';
import type { ServerContext } from './context.js';
import { HostNotFoundError } from './hosts.js';

type LocalCommand = 'host check' | 'host devices';

export class HostNotLocalError extends PhyllomeError {
  override name = 'HostNotLocalError';
  constructor(id: string, uri: string, command: LocalCommand) {
    super(
      'host-not-local',
      `\`phyllo ${command}\` reads the hardware of the machine it runs on; host "${id}" (${uri}) is another one.`,
      {
        hint: `Run phyllo ${command} on that machine itself, or ask for a host on this one (GET /api/hosts).`,
      },
    );
  }
}

/**
 * The host `id` (default: the first) when its daemon runs on this machine, without connecting: the
 * host check and device map probe this machine's files, and must answer when libvirt is down too.
 */
export function localHost(
  ctx: ServerContext,
  id: string | undefined,
  command: LocalCommand,
): { id: string; uri: string } {
  const all = ctx.hosts.list();
  const h = id === undefined ? all[0] : all.find((x) => x.id === id);
  if (!h) throw new HostNotFoundError(id ?? '', ctx.hosts.ids());
  if (remoteHostOf(h.uri) !== undefined) throw new HostNotLocalError(h.id, h.uri, command);
  return h;
}
