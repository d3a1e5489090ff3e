import { parseUri, type Libvirt } from '../libvirt/index.js';
import type { ModelHostFacts } from '../model/host-facts.js';
import type { ModelOptions } from '../model/options.js';
import { gatherModelHostFacts, remoteHostOf } from './model-host-facts.js';
import { checkOptionPaths } from './option-paths.js';

export interface ModelInputOptions {
  /** Probe root for the local probes (default `/`). */
  root?: string;
  /**
   * The options with this machine's paths already checked (`checkOptionPaths(…, { kind: 'local' })`:
   * the CLI checks them before it connects). Ignored for a remote connection.
   */
  checked?: ModelOptions;
  /** Progress while a KVM boot test runs (only when no result is cached). */
  onProgress?: (message: string) => void;
}

/**
 * What the model runs on for `os explain` and `vm create` over the connection `lv`: the path options
 * checked (this machine's files, or the remote host's storage volumes) and the model's host facts. A
 * session URI makes the options a session VM's.
 */
export async function modelInput(
  lv: Libvirt,
  options: ModelOptions,
  opts: ModelInputOptions = {},
): Promise<{ host: ModelHostFacts; options: ModelOptions }> {
  const uri = lv.requestedUri;
  const session = parseUri(uri).path === '/session';
  const remote = remoteHostOf(uri);
  const [host, checked] = await Promise.all([
    gatherModelHostFacts(lv, {
      session,
      ...(opts.root !== undefined ? { root: opts.root } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    }),
    remote === undefined
      ? (opts.checked ?? checkOptionPaths(options, { kind: 'local' }))
      : checkOptionPaths(options, { kind: 'remote', lv, host: remote, uri }),
  ]);
  return { host, options: { ...checked, session } };
}
