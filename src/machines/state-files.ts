/**
 * The files libvirt keeps beside a VM's disks: the UEFI variable store (NVRAM) and the swtpm state,
 * where they are on the VM's host. They are read and written through a `StateCopier`
 * (state-copier.ts): this machine's file system, or a remote host's libvirt storage API.
 */
import { dirname, join } from 'node:path';
import { child, childrenNamed, type XmlNode } from '../xml/node.js';

export const NVRAM_DIR = '/var/lib/libvirt/qemu/nvram';
export const SWTPM_DIR = '/var/lib/libvirt/swtpm';

/** Whether the VM boots UEFI: `firmware='efi'`, or a pflash loader. */
export function usesUefi(domain: XmlNode): boolean {
  const os = child(domain, 'os');
  return os?.attrs.firmware === 'efi' || child(os, 'loader')?.attrs.type === 'pflash';
}

/** Where libvirt keeps (or will keep, after the first start) the VM's UEFI variable store. */
export function nvramPath(domain: XmlNode): string | undefined {
  if (!usesUefi(domain)) return undefined;
  const given = child(child(domain, 'os'), 'nvram')?.text;
  return given ?? join(NVRAM_DIR, `${child(domain, 'name')?.text ?? ''}_VARS.fd`);
}

/** The NVRAM path a copy of the VM named `name` gets: beside the source's, named the libvirt way. */
export function nvramPathFor(sourcePath: string, name: string): string {
  return join(dirname(sourcePath), `${name}_VARS.fd`);
}

/** Whether the VM has an emulated TPM (swtpm, whose state lives under /var/lib/libvirt/swtpm/UUID). */
export function hasEmulatedTpm(domain: XmlNode): boolean {
  return childrenNamed(child(domain, 'devices'), 'tpm').some(
    (t) => child(t, 'backend')?.attrs.type === 'emulator',
  );
}

export function tpmDir(uuid: string): string {
  return join(SWTPM_DIR, uuid);
}

/**
 * Where snapshots keep their NVRAM and TPM copies, on the VM's host: one directory per VM UUID, one
 * per snapshot.
 */
export function snapshotRoot(): string {
  return process.env.PHYLLO_SNAPSHOT_DIR ?? '/var/lib/phyllome/snapshots';
}
