/**
 * What an OVF descriptor means for a Phyllome VM: the guest profile (`ovf-os.ts`, or `--os`), memory,
 * vCPUs, the one disk and the file holding it, the first network card, the firmware the disk was
 * installed for (BIOS or UEFI: it must stay, or the disk does not boot), whether Secure Boot and a
 * TPM were on; and every device or setting that is not carried over, each in words. The model decides
 * everything else for this host; `import-ova.ts` says where its choice differs from the source's.
 */
import { PROFILES } from '../../catalog/profiles.js';
import { OvaInvalidError, OvaUnknownOsError, OvaUnsupportedError } from './errors.js';
import { detectOvfOs, declaredOs } from './ovf-os.js';
import type { OvfDescriptor, OvfItem } from './ovf-parse.js';
import { unitBytes } from './ovf-units.js';

/** What kind of thing is left behind (stable words for `--json`). */
export type NotCarriedKind =
  | 'nic'
  | 'cd-dvd'
  | 'floppy'
  | 'sound'
  | 'usb'
  | 'serial-port'
  | 'parallel-port'
  | 'video'
  | 'device'
  | 'shared-folder'
  | 'snapshot'
  | 'uefi-variables'
  | 'tpm-state'
  | 'vendor-setting'
  | 'file'
  | 'section';

export interface NotCarried {
  kind: NotCarriedKind;
  detail: string;
}

export interface OvaPlan {
  /** The virtual system's name in the OVF. */
  sourceName: string;
  vendor: OvfDescriptor['vendor'];
  os: { id: string; declared: string; reason: string };
  /** Undefined when the OVF gives none (the profile's recommendation then). */
  memoryMiB?: number;
  vcpus: number;
  firmware: 'efi' | 'bios';
  firmwareFrom: string;
  secureBoot: boolean;
  tpm: boolean;
  disk: { diskId: string; href: string; capacityBytes: number; controller: string };
  nic?: { model: string; network?: string; mac?: string };
  notCarried: NotCarried[];
}

const RT = {
  cpu: 3,
  memory: 4,
  ide: 5,
  scsi: 6,
  nic: 10,
  floppy: 14,
  cd: 15,
  dvd: 16,
  disk: 17,
  storage: 20,
  serial: 21,
  parallel: 22,
  usb: 23,
  video: 24,
  sound: 35,
  other: 1,
} as const;

/** vmw:Config keys this import reads (the rest are VMware's own). */
const VMW_READ = new Set(['firmware', 'bootOptions.efiSecureBootEnabled', 'nvram']);

const CONTROLLER_WORDS: Record<number, string> = { 5: 'IDE', 6: 'SCSI', 20: 'SATA/NVMe' };

/** The OVF's facts as a plan; `os` (`--os`) names the profile instead of the declared OS type. */
export function mapOvf(d: OvfDescriptor, opts: { os?: string } = {}): OvaPlan {
  const notCarried: NotCarried[] = [];
  const lost = (kind: NotCarriedKind, detail: string) => notCarried.push({ kind, detail });
  const os = chooseOs(d, opts.os);
  const memoryMiB = memoryOf(d.items);
  const cpu = d.items.find((i) => i.resourceType === RT.cpu);
  const vcpus = cpu?.quantity ?? 1;
  if (!Number.isSafeInteger(vcpus) || vcpus < 1)
    throw new OvaInvalidError(`Its OVF gives ${vcpus} virtual CPUs`);
  const disk = diskOf(d);
  const { firmware, firmwareFrom } = firmwareOf(d);
  const secureBoot = d.vmwareConfig['bootOptions.efiSecureBootEnabled'] === 'true';
  const vtpm = d.items.some((i) => i.subType === 'vmware.vtpm');
  const vboxTpm = d.virtualbox?.tpm !== undefined && d.virtualbox.tpm !== 'None';
  const tpm = vtpm || vboxTpm;

  const nics = d.items.filter((i) => i.resourceType === RT.nic);
  const nic = nics[0] ? nicOf(nics[0], d, 0) : undefined;
  nics.slice(1).forEach((n, k) => {
    const x = nicOf(n, d, k + 1);
    lost('nic', `network card ${k + 2} (${x.model}${x.network ? ` on "${x.network}"` : ''}): the VM has one`);
  });
  for (const item of d.items) {
    const what = itemWords(item);
    if (what) lost(what[0], what[1]);
  }
  const vb = d.virtualbox;
  if (vb) {
    if (vb.audio && !d.items.some((i) => i.resourceType === RT.sound))
      lost('sound', 'its sound card: the model gives the VM none');
    for (const f of vb.sharedFolders)
      lost(
        'shared-folder',
        `the shared folder "${f}" (VirtualBox Guest Additions): share it again with virtiofs`,
      );
    if (vb.snapshots > 0)
      lost('snapshot', `${vb.snapshots} VirtualBox snapshot(s): only the current state is in the OVA`);
    if (vb.nvram)
      lost(
        'uefi-variables',
        `its UEFI variables (${vb.nvram}): the VM starts with fresh ones (boot entries are found again)`,
      );
    if (vb.vendorOnly.length) lost('vendor-setting', `VirtualBox-only settings: ${vb.vendorOnly.join(', ')}`);
  }
  const nvramRef = d.vmwareConfig['nvram'];
  if (nvramRef !== undefined)
    lost(
      'uefi-variables',
      "its UEFI variables (VMware's NVRAM file): the VM starts with fresh ones (boot entries are found again)",
    );
  const vmwOnly = Object.keys(d.vmwareConfig).filter((k) => !VMW_READ.has(k));
  if (vmwOnly.length) lost('vendor-setting', `VMware-only settings: ${vmwOnly.join(', ')}`);
  if (tpm)
    lost(
      'tpm-state',
      "its TPM's contents (keys BitLocker or another disk encryption sealed to it): an OVA does not carry them; a TPM the VM gets here is new and empty",
    );
  const diskFile = d.files.find((f) => f.href === disk.href);
  const nvramFile = nvramRef?.replace(/^ovf:\/file\//, '');
  for (const f of d.files) {
    if (f === diskFile || f.id === nvramFile) continue;
    lost('file', `the file ${f.href}: not a disk of the VM`);
  }
  for (const s of d.otherSections)
    lost('section', `its <${s}> (the appliance's ${SECTION_WORDS[s] ?? 'own information'})`);

  return {
    sourceName: d.name,
    vendor: d.vendor,
    os,
    ...(memoryMiB === undefined ? {} : { memoryMiB }),
    vcpus,
    firmware,
    firmwareFrom,
    secureBoot,
    tpm,
    disk,
    ...(nic ? { nic } : {}),
    notCarried,
  };
}

const SECTION_WORDS: Record<string, string> = {
  AnnotationSection: 'description',
  ProductSection: 'product name, version and properties',
  EulaSection: 'end-user agreement (EULA)',
  StartupSection: 'start order',
  DeploymentOptionSection: 'deployment options',
  InstallSection: 'install-time reboot',
};

function chooseOs(d: OvfDescriptor, os: string | undefined): OvaPlan['os'] {
  const declared = declaredOs(d);
  if (os !== undefined && os !== '')
    return { id: os, declared, reason: `named with --os (the OVF declares ${declared})` };
  const found = detectOvfOs(d);
  if (!found)
    throw new OvaUnknownOsError(
      declared,
      PROFILES.map((p) => p.id),
    );
  return { id: found.id, declared, reason: `${found.reason}, from its ${declared}` };
}

function memoryOf(items: OvfItem[]): number | undefined {
  const mem = items.find((i) => i.resourceType === RT.memory);
  if (mem?.quantity === undefined) return undefined;
  const per = unitBytes(mem.units);
  if (per === undefined)
    throw new OvaInvalidError(`Its OVF gives the memory in ${JSON.stringify(mem.units)}, not bytes`);
  const mib = Math.ceil((mem.quantity * per) / 2 ** 20);
  if (!Number.isSafeInteger(mib) || mib < 1) throw new OvaInvalidError('Its OVF gives the VM no memory');
  return mib;
}

/** The one disk: its item's host resource (`ovf:/disk/vmdisk1`), the DiskSection entry and its file. */
function diskOf(d: OvfDescriptor): OvaPlan['disk'] {
  const items = d.items.filter((i) => i.resourceType === RT.disk);
  if (items.length > 1)
    throw new OvaUnsupportedError(
      `The appliance has ${items.length} disks; vm import-ova takes VMs with one disk for now`,
      'Detach the other disks before exporting (copy their data into the first), then export again.',
    );
  const item = items[0];
  const ref = item?.hostResource ?? (d.disks.length === 1 ? `ovf:/disk/${d.disks[0]!.diskId}` : undefined);
  if (!ref)
    throw new OvaUnsupportedError(
      'The appliance has no disk',
      'Export a VM that has its system disk attached.',
    );
  const m = /^(?:ovf:)?\/(disk|file)\/(.+)$/.exec(ref);
  if (!m)
    throw new OvaInvalidError(
      `Its disk's host resource ${JSON.stringify(ref)} names neither a disk nor a file of the OVF`,
    );
  const disk = m[1] === 'disk' ? d.disks.find((x) => x.diskId === m[2]) : undefined;
  if (m[1] === 'disk' && !disk)
    throw new OvaInvalidError(
      `Its OVF's disk item names disk "${m[2]}", which its DiskSection does not list`,
    );
  const fileId = disk ? disk.fileRef : m[2];
  if (!fileId)
    throw new OvaUnsupportedError(
      'The appliance’s disk has no file (an empty disk to be created on import)',
      'Export the VM with its disk content.',
    );
  const file = d.files.find((f) => f.id === fileId);
  if (!file)
    throw new OvaInvalidError(`Its disk names the file "${fileId}", which its References do not list`);
  if (file.compression)
    throw new OvaUnsupportedError(
      `The appliance's disk file ${file.href} is stored ${file.compression}-compressed`,
      'Export it again without compressing the disk inside the OVF (ovftool without --compress).',
    );
  if (disk?.format && !/vmdk/i.test(disk.format))
    throw new OvaUnsupportedError(
      `The appliance's disk is not a VMDK (${disk.format})`,
      'Export the appliance with VMDK disks (VirtualBox and VMware do by default).',
    );
  if (!disk) throw new OvaInvalidError(`Its disk file ${file.href} has no capacity in the DiskSection`);
  const parent = d.items.find((i) => item?.parent !== undefined && i.instanceId === item.parent);
  const controller = parent
    ? `${CONTROLLER_WORDS[parent.resourceType] ?? 'a controller'}${parent.subType ? ` (${parent.subType})` : ''}`
    : 'an unnamed controller';
  return { diskId: disk.diskId, href: file.href, capacityBytes: disk.capacityBytes, controller };
}

function firmwareOf(d: OvfDescriptor): { firmware: 'efi' | 'bios'; firmwareFrom: string } {
  const vmw = d.vmwareConfig['firmware']?.toLowerCase();
  if (vmw === 'efi' || vmw === 'bios')
    return { firmware: vmw, firmwareFrom: `VMware's firmware setting "${d.vmwareConfig['firmware']}"` };
  const vb = d.virtualbox?.firmware;
  if (vb)
    return {
      firmware: /^EFI/i.test(vb) ? 'efi' : 'bios',
      firmwareFrom: `VirtualBox's firmware type "${vb}"`,
    };
  return {
    firmware: 'bios',
    firmwareFrom: 'no firmware declared: BIOS, the default of VirtualBox and VMware',
  };
}

/** A MAC as libvirt writes it: `08:00:27:c0:8e:7c` from VirtualBox's `080027C08E7C` or VMware's address. */
export function macOf(raw: string | undefined): string | undefined {
  const hex = raw?.replace(/[:-]/g, '').toLowerCase();
  if (!hex || !/^[0-9a-f]{12}$/.test(hex)) return undefined;
  // A multicast address (low bit of the first byte) is no NIC's.
  if (parseInt(hex.slice(0, 2), 16) & 1) return undefined;
  return hex.match(/../g)!.join(':');
}

function nicOf(item: OvfItem, d: OvfDescriptor, index: number): NonNullable<OvaPlan['nic']> {
  const adapter = d.virtualbox?.adapters.filter((a) => a.enabled).sort((a, b) => a.slot - b.slot)[index];
  const mac = macOf(item.address) ?? macOf(adapter?.mac);
  return {
    model: item.subType ?? adapter?.type ?? 'unknown model',
    ...(item.connection ? { network: item.connection } : {}),
    ...(mac ? { mac } : {}),
  };
}

/** A hardware item that is not carried over, in words; undefined for what the plan uses or the model decides. */
function itemWords(i: OvfItem): [NotCarriedKind, string] | undefined {
  const sub = i.subType ? ` (${i.subType})` : '';
  switch (i.resourceType) {
    case RT.cd:
    case RT.dvd:
      return ['cd-dvd', 'its CD/DVD drive: add one with `phyllo vm media NAME insert FILE.iso --add-drive`'];
    case RT.floppy:
      return ['floppy', 'its floppy drive'];
    case RT.sound:
      return ['sound', `its sound card${sub}: the model gives the VM none`];
    case RT.usb:
      return [
        'usb',
        `its USB controller${sub}: the model adds the one its input devices need; USB device filters are VirtualBox's or VMware's`,
      ];
    case RT.serial:
      return ['serial-port', 'its serial port: the model gives the VM its own serial console'];
    case RT.parallel:
      return ['parallel-port', 'its parallel port'];
    case RT.video: {
      const extra = Object.entries(i.config).map(([k, v]) => `${k}=${v}`);
      return [
        'video',
        `its video card's settings${extra.length ? ` (${extra.join(', ')})` : ''}: the model picks the display`,
      ];
    }
    case RT.other:
      if (i.subType === 'vmware.vtpm') return undefined;
      if (i.subType?.startsWith('vmware.soundcard'))
        return ['sound', `its sound card${sub}: the model gives the VM none`];
      return ['device', `${i.elementName ?? 'a device'}${sub}: a vendor's own device`];
    default:
      return undefined;
  }
}
