import { parseCmdline, type KernelCmdline } from './cmdline.js';
import { parseCpuinfo, type CpuFacts } from './cpu.js';
import { probeDmi, type DmiFacts } from './dmi.js';
import { known, mapFact, type Fact } from './fact.js';
import { probeFirmware, type FirmwareFacts } from './firmware.js';
import { FixtureSystem } from './fixture-system.js';
import { probeGpus, type Gpu } from './gpu.js';
import { loadIdsDb } from './ids-db.js';
import { probeIommu, type IommuFacts } from './iommu.js';
import { probeKvm, type KvmFacts } from './kvm.js';
import { LocalSystem } from './local-system.js';
import { probeMemory, type MemoryFacts } from './memory.js';
import { PCI_CLASS } from './pci-classes.js';
import { probePci, type PciFacts } from './pci.js';
import { probePower, type PowerFacts } from './power.js';
import { RootFs } from './root-fs.js';
import { probeStorage, type StorageFacts } from './storage.js';
import type { HostSystem } from './system.js';
import { probeHostTpm, type HostTpm } from './tpm.js';
import { probeTools, type ToolFacts } from './tools.js';
import { probeUsb, usbControllers, type UsbController, type UsbDevice } from './usb.js';

/** Everything Phyllome knows about a host, gathered from files below `root` and the HostSystem. */
export interface HostFacts {
  root: string;
  kernelRelease: Fact<string>;
  cmdline: Fact<KernelCmdline>;
  cpu: Fact<CpuFacts>;
  kvm: KvmFacts;
  iommu: Fact<IommuFacts>;
  pci: Fact<PciFacts>;
  gpus: Gpu[];
  usb: UsbDevice[];
  usbControllers: UsbController[];
  memory: Fact<MemoryFacts>;
  storage: StorageFacts;
  power: PowerFacts;
  dmi: DmiFacts;
  hostTpm: HostTpm;
  firmware: FirmwareFacts;
  tools: ToolFacts;
}

export interface ProbeOptions {
  /** Default `/`. */
  root?: string;
  /** Default: the fixture's scripted system when the root has one, else LocalSystem. */
  system?: HostSystem;
}

/** The HostSystem for a root: a fixture tree's scripted answers, or the live host below that root. */
export function defaultSystem(root: string): HostSystem {
  return FixtureSystem.fromRoot(root) ?? new LocalSystem(root);
}

/** The hardware part only (what `host devices` needs): no programs are run. */
export function probeHardware(
  fs: RootFs,
): Pick<HostFacts, 'cmdline' | 'iommu' | 'pci' | 'gpus' | 'usb' | 'usbControllers'> {
  const cmdlineText = fs.text('proc/cmdline');
  const cmdline = mapFact(cmdlineText, (t) => known(parseCmdline(t)));
  const pciIds = loadIdsDb(fs, 'pci.ids');
  const pci = probePci(fs, pciIds);
  const devices = pci.known ? pci.value.devices : [];
  return {
    cmdline,
    iommu: probeIommu(fs, cmdline.known ? cmdline.value : null),
    pci,
    gpus: probeGpus(fs, devices),
    usb: probeUsb(fs, () => loadIdsDb(fs, 'usb.ids')),
    usbControllers: usbControllers(
      fs,
      devices.filter((d) => d.classCode >> 8 === PCI_CLASS.usb).map((d) => d.address),
    ),
  };
}

/** Probes the whole host. Never throws on missing or garbled files: such facts are unknown with a reason. */
export async function probeHost(options: ProbeOptions = {}): Promise<HostFacts> {
  const root = options.root ?? '/';
  const fs = RootFs.open(root);
  const system = options.system ?? defaultSystem(root);
  const hw = probeHardware(fs);
  const cpuText = fs.text('proc/cpuinfo');
  const [kvm, storage, tools] = await Promise.all([
    probeKvm(fs, system),
    probeStorage(fs, system),
    probeTools(system),
  ]);
  return {
    root,
    kernelRelease: fs.attr('proc/sys/kernel/osrelease'),
    ...hw,
    cpu: mapFact(cpuText, parseCpuinfo),
    kvm,
    memory: probeMemory(fs),
    storage,
    power: probePower(fs),
    dmi: probeDmi(fs),
    hostTpm: probeHostTpm(fs),
    firmware: probeFirmware(fs),
    tools,
  };
}
