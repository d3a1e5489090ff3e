// The readiness checklist: status words, order, the summary line on top, and fix texts with commands.
import type { CheckStatus, HostCheck, HostReport, KvmState, KvmVerdictShape } from './types';

/** Each status as an icon and a word (never color alone). */
export const STATUS: Record<CheckStatus, { icon: string; word: string }> = {
  fail: { icon: '✗', word: 'Fail' },
  warn: { icon: '!', word: 'Warning' },
  pass: { icon: '✓', word: 'Pass' },
  info: { icon: 'i', word: 'Info' },
};

/** What each check looks at, as a short title (the summary says what it found). */
const TITLES: Record<string, string> = {
  'cpu.virtualization': 'CPU virtualization',
  'kvm.device': 'KVM device',
  'kvm.works': 'KVM boot test',
  'kvm.nested': 'Nested virtualization',
  'iommu.firmware': 'IOMMU in the firmware',
  'iommu.kernel': 'IOMMU in the kernel',
  'iommu.acs-override': 'ACS override',
  'host.cores': 'CPU threads',
  'host.memory': 'Memory',
  'host.disk': 'Disk space',
  'host.known-hardware': 'Known hardware',
  'firmware.uefi': 'UEFI for guests',
  'firmware.secure-boot': 'Secure Boot for guests',
  'tpm.emulator': 'TPM for guests',
  'libvirt.daemon': 'libvirt daemon',
  'qemu.version': 'QEMU',
  'net.vhost': 'Fast networking (vhost-net)',
  'net.tun': 'Networking (tun)',
  'gpu.3d': '3D graphics',
  'gpu.sharing': 'GPU sharing',
  'memory.hugepages': 'Huge pages',
  'power.battery': 'Power',
};

export function checkTitle(id: string): string {
  return TITLES[id] ?? id;
}

export interface CheckSection {
  key: 'attention' | 'passed' | 'info';
  title: string;
  checks: HostCheck[];
}

const RANK: Record<CheckStatus, number> = { fail: 0, warn: 1, pass: 2, info: 3 };

/**
 * The checks in three sections: what needs attention (failures first, then warnings), what passed,
 * and facts for information; the report's order within a status. Empty sections are left out.
 */
export function checkSections(checks: HostCheck[]): CheckSection[] {
  const sorted = checks
    .map((c, i) => ({ c, i }))
    .sort((a, b) => RANK[a.c.status] - RANK[b.c.status] || a.i - b.i)
    .map((x) => x.c);
  const sections: CheckSection[] = [
    {
      key: 'attention',
      title: 'Needs attention',
      checks: sorted.filter((c) => c.status === 'fail' || c.status === 'warn'),
    },
    { key: 'passed', title: 'Passed', checks: sorted.filter((c) => c.status === 'pass') },
    { key: 'info', title: 'For information', checks: sorted.filter((c) => c.status === 'info') },
  ];
  return sections.filter((s) => s.checks.length > 0);
}

export function countStatus(checks: HostCheck[]): Record<CheckStatus, number> {
  const n: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, info: 0 };
  for (const c of checks) n[c.status]++;
  return n;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export interface Summary {
  tone: 'ok' | 'warn' | 'bad';
  headline: string;
  /** What the KVM verdict means for guests, in a sentence. */
  kvm: string | undefined;
}

/** What a KVM state means for the guests of this host. */
export function kvmMeaning(state: KvmState | undefined): string | undefined {
  switch (state) {
    case 'works':
      return 'KVM works: guests run on the CPU directly, at nearly native speed.';
    case 'broken':
      return 'KVM does not work here, so guests run under TCG, QEMU’s CPU emulator: 10–50× slower. Fine for tests and small servers; too slow for a desktop or games.';
    case 'unavailable':
      return 'No KVM here, so guests run under TCG, QEMU’s CPU emulator: 10–50× slower. Fine for tests and small servers; too slow for a desktop or games.';
    case 'unknown':
      return 'Whether KVM works is not known yet (the boot test did not run): Re-test to find out.';
    default:
      return undefined;
  }
}

/** The line on top of the checklist: the verdict in words with the number of warnings and failures. */
export function summarize(report: HostReport, kvm?: KvmVerdictShape): Summary {
  const n = countStatus(report.checks);
  const warnings = n.warn ? plural(n.warn, 'warning') : '';
  let headline: string;
  let tone: Summary['tone'];
  if (report.verdict === 'unusable') {
    tone = 'bad';
    headline = `Not ready: no VM can run here until ${n.fail === 1 ? 'the failing check is' : `the ${n.fail} failing checks are`} fixed.`;
  } else if (report.verdict === 'degraded') {
    tone = 'warn';
    headline = `VMs can run, but with less: ${plural(n.fail, 'check')} failed${warnings ? `, ${warnings}` : ''}.`;
  } else {
    // Warnings are advice: the host is ready all the same.
    tone = 'ok';
    headline = warnings ? `Ready for VMs, with ${warnings}.` : 'Ready for VMs.';
  }
  const state = kvm?.state ?? report.host.kvmVerdict?.state;
  return { tone, headline, kvm: kvmMeaning(state) };
}

export interface TextPart {
  code: boolean;
  text: string;
}

/** `Load it: \`sudo modprobe vhost_net\`.` → text and code parts (the commands, to show in <code>). */
export function textParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  const re = /`([^`]+)`/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) parts.push({ code: false, text: text.slice(last, m.index) });
    parts.push({ code: true, text: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ code: false, text: text.slice(last) });
  return parts;
}

/** The anchor of a check on the page (`check-iommu-firmware`). */
export function checkAnchor(id: string): string {
  return `check-${id.replace(/[^a-z0-9]+/gi, '-')}`;
}
