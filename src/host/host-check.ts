import { cpuVirtualization, kvmDevice, kvmNested, kvmWorks } from './checks/cpu-kvm.js';
import { gpu3d, gpuSharing, powerBattery } from './checks/devices.js';
import { iommuAcsOverride, iommuFirmware, iommuKernel } from './checks/iommu.js';
import { knownHardware } from './checks/known-hardware.js';
import {
  firmwareSecureBoot,
  firmwareUefi,
  libvirtDaemon,
  netTun,
  netVhost,
  qemuVersion,
  tpmEmulator,
} from './checks/platform.js';
import { hostCores, hostDisk, hostMemory, memoryHugepages } from './checks/resources.js';
import { verdictOf, type Check, type Verdict } from './checks/types.js';
import { loadCurated, type CuratedEntry } from './curated.js';
import { kvmVerdict, type KvmVerdict } from './kvm-verdict.js';
import { defaultSystem, probeHost, type HostFacts } from './probe.js';
import type { HostSystem } from './system.js';

/** What `phyllo host check --json` prints. */
export interface HostReport {
  verdict: Verdict;
  checks: Check[];
  host: HostFacts & { kvmVerdict: KvmVerdict };
}

export interface HostCheckOptions {
  root?: string;
  system?: HostSystem;
  /** Redo the KVM boot test instead of using the cached result. */
  retest?: boolean;
  onProgress?: (message: string) => void;
  cacheDir?: string;
  curated?: CuratedEntry[];
}

/** Every check, in report order, from the facts and the KVM verdict. Pure. */
export function runChecks(h: HostFacts, kvm: KvmVerdict, curated: CuratedEntry[]): Check[] {
  return [
    cpuVirtualization(h),
    kvmDevice(h),
    kvmWorks(h, kvm),
    kvmNested(h),
    iommuFirmware(h),
    iommuKernel(h),
    iommuAcsOverride(h),
    hostCores(h),
    hostMemory(h),
    hostDisk(h),
    knownHardware(h, curated),
    firmwareUefi(h),
    firmwareSecureBoot(h),
    tpmEmulator(h),
    libvirtDaemon(h),
    qemuVersion(h),
    netVhost(h),
    netTun(h),
    gpu3d(h),
    gpuSharing(h),
    memoryHugepages(h),
    powerBattery(h),
  ];
}

/** Probes the host, gets the KVM verdict (cached boot test, or runs it once) and runs every check. */
export async function hostCheck(options: HostCheckOptions = {}): Promise<HostReport> {
  const root = options.root ?? '/';
  const system = options.system ?? defaultSystem(root);
  const [facts, kvm] = await Promise.all([
    probeHost({ root, system }),
    kvmVerdict({
      root,
      system,
      ...(options.retest ? { retest: true } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    }),
  ]);
  const checks = runChecks(facts, kvm, options.curated ?? loadCurated());
  return { verdict: verdictOf(checks), checks, host: { ...facts, kvmVerdict: kvm } };
}
