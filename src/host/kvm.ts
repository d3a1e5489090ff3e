import type { Fact } from './fact.js';
import type { RootFs } from './root-fs.js';
import type { HostSystem } from './system.js';

export type KvmModule = 'kvm_intel' | 'kvm_amd' | 'kvm_pvm';

export interface KvmFacts {
  /** Whether the generic `kvm` module is loaded (sys/module/kvm). */
  kvmLoaded: boolean;
  /** The vendor module that is loaded, if any. */
  module: KvmModule | null;
  /** Nested virtualization (Intel `Y`/`N`, AMD `1`/`0`); null when not visible. */
  nested: boolean | null;
  /** /dev/kvm exists. */
  device: boolean;
  /** /dev/kvm can be opened read-write by this user (reason when not). */
  deviceUsable: Fact<true>;
}

const MODULES: KvmModule[] = ['kvm_intel', 'kvm_amd', 'kvm_pvm'];

/** `Y`, `y`, `1` mean on; `N`, `n`, `0` off. */
export function parseBoolParam(text: string): boolean | null {
  const t = text.trim();
  if (/^[Yy1]$/.test(t)) return true;
  if (/^[Nn0]$/.test(t)) return false;
  return null;
}

/** The loaded KVM vendor module, if any. */
export function probeKvmModule(fs: RootFs): KvmModule | null {
  return MODULES.find((m) => fs.exists(`sys/module/${m}`)) ?? null;
}

/** Nested virtualization in the loaded vendor module's parameters; null when not visible. */
export function probeNested(fs: RootFs, module: KvmModule | null = probeKvmModule(fs)): boolean | null {
  const nestedText =
    module === 'kvm_intel' || module === 'kvm_amd' ? fs.attr(`sys/module/${module}/parameters/nested`) : null;
  return nestedText?.known ? parseBoolParam(nestedText.value) : null;
}

export async function probeKvm(fs: RootFs, system: HostSystem): Promise<KvmFacts> {
  const module = probeKvmModule(fs);
  const nested = probeNested(fs, module);
  const id = await system.identity('/dev/kvm');
  return {
    kvmLoaded: fs.exists('sys/module/kvm'),
    module,
    nested,
    device: id.known,
    deviceUsable: await system.canOpen('/dev/kvm'),
  };
}
