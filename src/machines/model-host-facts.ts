import { kvmVerdict, type KvmVerdict } from '../host/kvm-verdict.js';
import type { Libvirt } from '../libvirt/index.js';
import { assembleHostFacts } from '../model/assemble-host-facts.js';
import { parseCapabilities, x86Guest } from '../model/capabilities.js';
import { parseDomainCapabilities } from '../model/domain-capabilities.js';
import { fileHostFacts } from '../model/file-host-facts.js';
import { cachedParse } from '../model/parse-cache.js';
import type { KvmFacts, ModelHostFacts } from '../model/host-facts.js';

export interface GatherOptions {
  /** Probe root for the file-based facts and the KVM boot test (default `/`). */
  root?: string;
  session?: boolean;
  /** Progress while a KVM boot test runs (only when no result is cached). */
  onProgress?: (message: string) => void;
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
 * Everything the VM model needs to know about the host it will run on: file-based facts (cores,
 * memory, firmware descriptors, swtpm, render node), libvirt's capabilities and domain capabilities
 * (for `qemu` and, when offered, `kvm`), and the KVM boot-test verdict (cached; run once otherwise).
 */
export async function gatherModelHostFacts(lv: Libvirt, opts: GatherOptions = {}): Promise<ModelHostFacts> {
  const root = opts.root ?? '/';
  const domcaps = (virttype: 'qemu' | 'kvm') =>
    lv
      .domainCapabilities({ virttype, arch: 'x86_64', machine: 'q35' })
      .then((xml) => cachedParse(`domcaps-${virttype}`, xml, parseDomainCapabilities));
  // Asked at once: the daemon answers them in one round trip's time, while the files are read here.
  const answers = Promise.all([
    lv.capabilities().then((xml) => cachedParse('capabilities', xml, parseCapabilities)),
    domcaps('qemu'),
    kvmVerdict({ root, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) }),
  ]);
  const files = fileHostFacts({ root, session: opts.session ?? false });
  const [caps, qemu, verdict] = await answers;
  const offered = x86Guest(caps)?.domainTypes.includes('kvm') ?? false;
  // KVM's domain capabilities matter only where the model may choose kvm: where a guest booted under it.
  const kvm = offered && verdict.usable ? await domcaps('kvm') : undefined;
  const probes = { ...files, kvm: kvmFacts(offered, verdict) };
  return assembleHostFacts(probes, caps, kvm ? { qemu, kvm } : { qemu });
}
