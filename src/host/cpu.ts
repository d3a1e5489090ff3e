import { known, unknown, type Fact } from './fact.js';

/** `unknown`: any other vendor id (VIA/Centaur, Zhaoxin, an emulator's), or none at all. */
export type CpuVendor = 'intel' | 'amd' | 'unknown';

export interface CpuFacts {
  vendor: CpuVendor;
  vendorId: string;
  model: string;
  /** Logical CPUs (threads), from the `processor` lines. */
  threads: number;
  /** Physical cores (from `core id` per `physical id`), or `threads` when not listed. */
  cores: number;
  /** Intel VT-x. */
  vmx: boolean;
  /** AMD-V. */
  svm: boolean;
  /** The `hypervisor` flag: this host is itself a virtual machine. */
  runningAsGuest: boolean;
  /** 1 GiB huge pages (`pdpe1gb`). */
  gigabytePages: boolean;
}

/** Hygon's Dhyana is an AMD Zen design (svm, kvm_amd, AMD-Vi). */
export function vendorOf(id: string): CpuVendor {
  if (id === 'GenuineIntel') return 'intel';
  if (id === 'AuthenticAMD' || id === 'HygonGenuine') return 'amd';
  return 'unknown';
}

/** Parses /proc/cpuinfo (blocks of `key\t: value`, one block per logical CPU). */
export function parseCpuinfo(text: string): Fact<CpuFacts> {
  const blocks = text
    .split(/\n\s*\n/)
    .map((b) => {
      const m = new Map<string, string>();
      for (const line of b.split('\n')) {
        const i = line.indexOf(':');
        if (i > 0) m.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      return m;
    })
    .filter((m) => m.has('processor'));
  const first = blocks[0];
  if (!first) return unknown('proc/cpuinfo: no processor entries');
  const flags = new Set((first.get('flags') ?? '').split(/\s+/).filter(Boolean));
  const coreIds = new Set(
    blocks.filter((b) => b.has('core id')).map((b) => `${b.get('physical id') ?? '0'}:${b.get('core id')}`),
  );
  const vendorId = first.get('vendor_id') || 'unknown';
  return known({
    vendor: vendorOf(vendorId),
    vendorId,
    model: first.get('model name') ?? 'unknown CPU',
    threads: blocks.length,
    cores: coreIds.size || blocks.length,
    vmx: flags.has('vmx'),
    svm: flags.has('svm'),
    runningAsGuest: flags.has('hypervisor'),
    gigabytePages: flags.has('pdpe1gb'),
  });
}
