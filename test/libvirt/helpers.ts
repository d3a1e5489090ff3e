/** Shared helpers for the libvirt integration tests (real system daemon, root). */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { connect, UndefineFlags, type Libvirt } from '../../src/libvirt/index.js';

const run = promisify(execFile);

export const SYSTEM = 'qemu:///system';

export function uniqueName(prefix: string): string {
  return `phyllo-${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function virsh(...args: string[]): Promise<string> {
  const { stdout } = await run('virsh', ['-c', SYSTEM, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

export function openSystem(): Promise<Libvirt> {
  return connect(SYSTEM);
}

/** A small TCG domain: no disks (SeaBIOS keeps running), VNC + VGA for screenshots, a pty serial console. */
export function tcgDomainXml(name: string, opts: { serialBios?: boolean } = {}): string {
  const bios = opts.serialBios ? `<bios useserial='yes' rebootTimeout='1000'/>` : '';
  return `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type>${bios}</os>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>
    <video><model type='vga'/></video>
    <serial type='pty'/>
    <console type='pty'/>
  </devices>
</domain>`;
}

/**
 * Best-effort removal of a test domain (destroy if running, then undefine with its UEFI variables
 * and TPM state: libvirt refuses a plain undefine of a domain that has NVRAM).
 */
export async function removeDomain(lv: Libvirt, name: string): Promise<void> {
  try {
    const d = await lv.domains.lookup(name);
    await d.destroy().catch(() => undefined);
    await d.undefine(UndefineFlags.NVRAM | UndefineFlags.TPM).catch(() => undefined);
  } catch {
    // already gone
  }
}

export const isRoot = process.getuid?.() === 0;
