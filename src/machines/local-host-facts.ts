import { parseCpuinfo } from '../host/cpu.js';
import { mapFact } from '../host/fact.js';
import { probeFirmware } from '../host/firmware.js';
import { renderNodes } from '../host/gpu.js';
import { probeNested } from '../host/kvm.js';
import { parseMeminfo } from '../host/memory.js';
import { defaultSystem } from '../host/probe.js';
import { RootFs } from '../host/root-fs.js';
import type { HostSystem } from '../host/system.js';
import type { HostProbeFacts } from '../model/assemble-host-facts.js';

export interface LocalFactsOptions {
  /** Probe root (default `/`). */
  root?: string;
  session?: boolean;
  /** Default: the fixture's scripted system for a fixture root, else the live host. */
  system?: HostSystem;
}

/**
 * The model's facts about THIS machine, from the host probes (`src/host`, the same readers the host
 * check uses): cores and threads from proc/cpuinfo, memory from proc/meminfo, nested virtualization
 * from the kvm module, the first DRM render node, QEMU's firmware descriptors, swtpm and passt on
 * PATH. KVM's verdict comes from the boot test; see `gatherModelHostFacts`.
 */
export async function localHostProbes(opts: LocalFactsOptions = {}): Promise<Omit<HostProbeFacts, 'kvm'>> {
  const root = opts.root ?? '/';
  const fs = new RootFs(root);
  const system = opts.system ?? defaultSystem(root);
  const tools = Promise.all([system.which('swtpm'), system.which('passt')]);
  const cpu = mapFact(fs.text('proc/cpuinfo'), parseCpuinfo);
  const threads = cpu.known ? cpu.value.threads : 1;
  const cores = Math.max(1, cpu.known ? cpu.value.cores : threads);
  // Total and available only: the huge page pools the full memory probe adds are not the model's.
  const memory = mapFact(fs.text('proc/meminfo'), parseMeminfo);
  const render = renderNodes(fs)[0];
  const [swtpm, passt] = await tools;
  const facts: Omit<HostProbeFacts, 'kvm'> = {
    cores,
    threadsPerCore: Math.max(1, Math.round(threads / cores)),
    memoryKiB: memory.known ? Math.floor(memory.value.totalBytes / 1024) : 0,
    nested: probeNested(fs) ?? false,
    firmware: probeFirmware(fs).descriptors,
    swtpm: swtpm.known,
    passt: passt.known,
    session: opts.session ?? false,
  };
  if (memory.known && memory.value.availableBytes !== null)
    facts.availableMemoryKiB = Math.floor(memory.value.availableBytes / 1024);
  if (render) facts.renderNode = render;
  return facts;
}
