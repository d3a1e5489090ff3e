import { kvmVerdict, type KvmVerdict } from '../host/kvm-verdict.js';
import { ConnectionClosedError, isLocal, parseUri, type Libvirt } from '../libvirt/index.js';
import { assembleHostFacts } from '../model/assemble-host-facts.js';
import { parseCapabilities, x86Guest } from '../model/capabilities.js';
import { parseDomainCapabilities } from '../model/domain-capabilities.js';
import { cachedParse } from '../model/parse-cache.js';
import type { KvmFacts, ModelHostFacts } from '../model/host-facts.js';
import { localHostProbes } from './local-host-facts.js';
import { remoteHostProbes } from './remote-host-facts.js';

export interface GatherOptions {
  /** Probe root for the file-based facts and the KVM boot test (default `/`; local connections only). */
  root?: string;
  session?: boolean;
  /** Progress while a KVM boot test runs (only when no result is cached). */
  onProgress?: (message: string) => void;
  /**
   * The KVM boot-test verdict for the host behind `lv`. Default: the local boot test (`kvmVerdict()`,
   * cached) on a local connection; on a remote one the same guest booted there through libvirt
   * (`remoteKvmVerdict`, cached per host), or `notTestedVerdict(HOST)` when that test cannot run.
   */
  verdict?: (lv: Libvirt, opts: { onProgress?: (message: string) => void }) => Promise<KvmVerdict>;
}

/**
 * The host a connection reaches when it is not this machine, else undefined. The rule: a URI with no
 * host and no transport but `unix` (`qemu:///system`, `qemu+unix:///session?socket=…`) is served by a
 * daemon on this machine, whose files are this machine's; anything else (`qemu+ssh://`, `qemu+tcp://`,
 * even to localhost) is remote, and every fact comes from its libvirt.
 */
export function remoteHostOf(uri: string): string | undefined {
  const parsed = parseUri(uri);
  return isLocal(parsed) ? undefined : (parsed.host ?? 'localhost');
}

/** The verdict for a host that was not boot-tested: KVM unproven, so the model picks TCG. */
export function notTestedVerdict(host: string): KvmVerdict {
  return {
    state: 'unknown',
    usable: false,
    summary: `KVM is unknown on ${host}`,
    detail: `not tested on ${host}`,
    cached: false,
  };
}

/** The remote boot test; a failure other than a lost connection leaves KVM unproven (TCG). */
async function remoteVerdict(
  lv: Libvirt,
  host: string,
  progress: { onProgress?: (message: string) => void },
): Promise<KvmVerdict> {
  try {
    // Loaded only for remote hosts: a local command does not pay for it at start-up.
    const { remoteKvmVerdict } = await import('./remote-kvm-verdict.js');
    return await remoteKvmVerdict(lv, progress);
  } catch (err) {
    if (err instanceof ConnectionClosedError) throw err;
    const v = notTestedVerdict(host);
    return { ...v, detail: `${v.detail}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The model's KVM input: libvirt offering kvm is not enough, the boot test must have run a guest. */
export function kvmFacts(offered: boolean, verdict: KvmVerdict): KvmFacts {
  return {
    offered,
    works: verdict.usable ? true : verdict.state === 'unknown' ? 'unknown' : false,
    // The first clause of what the boot test saw, e.g. "the firmware printed under KVM, but the kernel never started".
    reason: verdict.detail.split(';')[0] || verdict.summary,
  };
}

/**
 * Everything the VM model needs to know about the host it will run on: libvirt's capabilities and
 * domain capabilities (for `qemu` and, where a guest booted under it, `kvm`), the KVM verdict, and
 * the rest from this machine's probes (local connection) or from the remote host's libvirt (node
 * info, free memory, storage pools; what libvirt cannot tell is "unknown on HOST").
 */
export async function gatherModelHostFacts(lv: Libvirt, opts: GatherOptions = {}): Promise<ModelHostFacts> {
  const root = opts.root ?? '/';
  const session = opts.session ?? false;
  const remote = remoteHostOf(lv.requestedUri);
  const domcaps = (virttype: 'qemu' | 'kvm') =>
    lv
      .domainCapabilities({ virttype, arch: 'x86_64', machine: 'q35' })
      .then((xml) => cachedParse(`domcaps-${virttype}`, xml, parseDomainCapabilities));
  const progress = opts.onProgress ? { onProgress: opts.onProgress } : {};
  const verdictOf =
    opts.verdict ??
    (remote === undefined
      ? () => kvmVerdict({ root, ...progress })
      : (conn: Libvirt) => remoteVerdict(conn, remote, progress));
  // Asked at once: the daemon answers them in one round trip's time, while the files are read here. The
  // calls leave before the files are read (`flush`), not after: the reads are synchronous, and the
  // calls would otherwise wait in the socket until this tick ends (3.5 ms of `vm create`).
  const qemuCaps = domcaps('qemu');
  const capabilities = lv.capabilities().then((xml) => cachedParse('capabilities', xml, parseCapabilities));
  lv.flush();
  const answers = Promise.all([
    capabilities,
    qemuCaps,
    verdictOf(lv, progress),
    remote === undefined
      ? localHostProbes({ root, session })
      : qemuCaps.then((q) => remoteHostProbes(lv, remote, q, session)),
  ]);
  const [caps, qemu, verdict, probes] = await answers;
  const offered = x86Guest(caps)?.domainTypes.includes('kvm') ?? false;
  // KVM's domain capabilities matter only where the model may choose kvm: where a guest booted under it.
  const kvm = offered && verdict.usable ? await domcaps('kvm') : undefined;
  return assembleHostFacts(
    { ...probes, kvm: kvmFacts(offered, verdict) },
    caps,
    kvm ? { qemu, kvm } : { qemu },
  );
}
