export type CheckStatus = 'pass' | 'warn' | 'fail' | 'info';

/** Stable check ids: programs match on these, never on the wording. */
export type CheckId =
  | 'cpu.virtualization'
  | 'kvm.device'
  | 'kvm.works'
  | 'kvm.nested'
  | 'iommu.firmware'
  | 'iommu.kernel'
  | 'iommu.acs-override'
  | 'host.cores'
  | 'host.memory'
  | 'host.disk'
  | 'host.known-hardware'
  | 'firmware.uefi'
  | 'firmware.secure-boot'
  | 'tpm.emulator'
  | 'libvirt.daemon'
  | 'qemu.version'
  | 'net.vhost'
  | 'net.tun'
  | 'gpu.3d'
  | 'gpu.sharing'
  | 'memory.hugepages'
  | 'power.battery';

export interface Check {
  id: CheckId;
  status: CheckStatus;
  summary: string;
  detail: string;
  /** The next step; empty when nothing needs doing. */
  fix: string;
  /** Public pages the check's knowledge comes from (the curated hardware list's sources). */
  sources?: { title: string; url: string }[];
}

export type Verdict = 'ready' | 'degraded' | 'unusable';

/** Checks whose failure means no virtual machine can run at all. */
export const BLOCKING_CHECKS: ReadonlySet<CheckId> = new Set<CheckId>([
  'host.cores',
  'host.memory',
  'host.disk',
  'qemu.version',
  'libvirt.daemon',
]);

export function check(id: CheckId, status: CheckStatus, summary: string, detail = '', fix = ''): Check {
  return { id, status, summary, detail, fix };
}

/**
 * `unusable` when a blocking check fails (no VM can run), `degraded` when any other check fails
 * (VMs run, but slower or without a feature), else `ready` (warnings are advice).
 */
export function verdictOf(checks: Check[]): Verdict {
  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.some((c) => BLOCKING_CHECKS.has(c.id))) return 'unusable';
  return failed.length ? 'degraded' : 'ready';
}
