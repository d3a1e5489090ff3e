/**
 * The files libvirt keeps beside a VM's disks: the UEFI variable store (NVRAM) and the swtpm state.
 * libvirt has no API to read or write them, so they are reached on this machine's file system; a
 * remote VM that has them cannot be cloned or snapshotted yet (a typed error says so).
 */
import { cp, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isLocal, parseUri, type Libvirt } from '../libvirt/index.js';
import { PhyllomeError } from '../errors.js';
import { child, childrenNamed, type XmlNode } from '../xml/node.js';

export const NVRAM_DIR = '/var/lib/libvirt/qemu/nvram';
export const SWTPM_DIR = '/var/lib/libvirt/swtpm';

/** The VM has NVRAM or TPM state on a remote host, which Phyllome cannot copy there yet. */
export class RemoteStateFilesError extends PhyllomeError {
  override name = 'RemoteStateFilesError';
  constructor(vm: string, operation: string) {
    super(
      'remote-state-files',
      `VM "${vm}" keeps UEFI variables or TPM state on a remote host; ${operation} copies them, which works only on this computer so far`,
      {
        hint: 'Run phyllo on that host (with qemu:///system), or use virt-clone there, which leaves NVRAM and TPM out.',
      },
    );
  }
}

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

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Throws when the VM has state files and the connection is not this machine's. */
export async function requireLocalState(lv: Libvirt, domain: XmlNode, vm: string, op: string): Promise<void> {
  if (isLocal(parseUri(lv.requestedUri))) return;
  if (usesUefi(domain) || hasEmulatedTpm(domain)) throw new RemoteStateFilesError(vm, op);
}

/** Copies a file or directory, keeping modes and times (libvirt fixes the owner at the next start). */
export async function copyState(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true, preserveTimestamps: true, errorOnExist: true, force: false });
}

export async function removeState(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** Where snapshots keep their NVRAM and TPM copies: one directory per VM UUID, one per snapshot. */
export function snapshotRoot(): string {
  return process.env.PHYLLO_SNAPSHOT_DIR ?? '/var/lib/phyllome/snapshots';
}
