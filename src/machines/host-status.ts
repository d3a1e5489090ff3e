import { kvmVerdict, type KvmVerdict } from '../host/kvm-verdict.js';
import type { DomainState, Libvirt } from '../libvirt/index.js';
import { parseCapabilities, x86Guest } from '../model/capabilities.js';
import { remoteHostOf } from './model-host-facts.js';

/** What `phyllo status --json` prints and `GET /api/status` answers. */
export interface StatusReport {
  uri: string;
  hostname: string;
  libvirtVersion: string;
  hypervisor: { type: string; version: string };
  /** Domain types libvirt offers for x86_64 guests, e.g. ["qemu", "kvm"]. */
  accelerators: string[];
  /**
   * Whether KVM really runs a guest on the connection's host (boot test, cached): run here for a local
   * connection, through libvirt on that host for a remote one.
   */
  kvm: Pick<KvmVerdict, 'state' | 'usable' | 'summary' | 'detail' | 'cached'>;
  vms: { total: number; byState: Partial<Record<DomainState, number>> };
}

export interface HostStatusOptions {
  /** Probe root for the local KVM boot test (default `/`). */
  root?: string;
  /** Redo the KVM boot test instead of using the cached result. */
  retest?: boolean;
  /** Progress while a boot test runs (default: a spinner on stderr when it is a terminal). */
  onProgress?: (message: string) => void;
}

/** The connection's host: versions, accelerators, whether KVM really works, and VM counts. */
export async function hostStatus(lv: Libvirt, opts: HostStatusOptions = {}): Promise<StatusReport> {
  const remote = remoteHostOf(lv.requestedUri) !== undefined;
  const [hostname, lib, hv, type, capsXml, domains, daemonUri] = await Promise.all([
    lv.hostname(),
    lv.libVersion(),
    lv.hypervisorVersion(),
    lv.type(),
    lv.capabilities(),
    lv.domains.listWithState(),
    lv.uri(),
  ]);
  const caps = parseCapabilities(capsXml);
  const x86 = x86Guest(caps);
  const byState: Partial<Record<DomainState, number>> = {};
  for (const d of domains) byState[d.state] = (byState[d.state] ?? 0) + 1;
  const retest = {
    ...(opts.retest ? { retest: true } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  };
  const kvm = pick(
    remote
      ? await (await import('./remote-kvm-verdict.js')).remoteKvmVerdict(lv, retest)
      : await kvmVerdict({ root: opts.root ?? '/', ...retest }),
  );
  return {
    uri: daemonUri,
    hostname,
    libvirtVersion: `${lib.major}.${lib.minor}.${lib.release}`,
    hypervisor: { type, version: `${hv.major}.${hv.minor}.${hv.release}` },
    accelerators: x86?.domainTypes ?? [],
    kvm,
    vms: { total: domains.length, byState },
  };
}

function pick(v: KvmVerdict): StatusReport['kvm'] {
  return { state: v.state, usable: v.usable, summary: v.summary, detail: v.detail, cached: v.cached };
}
