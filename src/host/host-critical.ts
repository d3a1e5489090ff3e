import { PCI_CLASS, isNetworkClass } from './pci-classes.js';
import type { PciDevice } from './pci.js';
import type { Gpu } from './gpu.js';
import type { StorageUse } from './storage.js';

const ROLE_WORDS: Record<StorageUse['role'], string> = {
  root: 'holds the root file system',
  swap: 'holds swap',
  efi: 'holds the EFI system partition',
  boot: 'holds /boot',
};

/** Why each PCI device must stay with the host, by address. */
export function hostCriticalReasons(
  devices: PciDevice[],
  gpus: Gpu[],
  storage: StorageUse[],
): Map<string, string[]> {
  const reasons = new Map<string, string[]>();
  const add = (address: string, why: string) => {
    const list = reasons.get(address) ?? [];
    if (!list.includes(why)) list.push(why);
    reasons.set(address, list);
  };
  for (const use of storage)
    for (const a of use.pciDevices)
      add(a, `${ROLE_WORDS[use.role]} (${use.what} on ${use.blockDevices.join(' → ')})`);
  for (const g of gpus) {
    if (g.drivesDisplay)
      add(
        g.address,
        `drives the host's display (${g.connectors
          .filter((c) => c.connected)
          .map((c) => c.name)
          .join(', ')})`,
      );
    else if (g.bootVga) add(g.address, "is the boot VGA device: the host's console is on it");
  }
  const nics = devices.filter(
    (d) => isNetworkClass(d.classCode) && !d.physfn && d.classCode >> 8 !== PCI_CLASS.hostBridge,
  );
  const only = nics.length === 1 ? nics[0] : undefined;
  if (only) add(only.address, 'is the only network controller');
  return reasons;
}
