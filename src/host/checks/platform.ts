import type { HostFacts } from '../probe.js';
import { check, type Check } from './types.js';

/** QEMU older than this lacks features Phyllome's defaults use. */
export const MIN_QEMU = [6, 2] as const;

function atLeast(version: string, min: readonly [number, number]): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > min[0] || (a === min[0] && b >= min[1]);
}

export function firmwareUefi(h: HostFacts): Check {
  const id = 'firmware.uefi';
  const f = h.firmware;
  const notes = f.unreadable.length ? `; unreadable: ${f.unreadable.join('; ')}` : '';
  if (f.uefi)
    return check(
      id,
      'pass',
      'UEFI firmware for guests (OVMF) is installed',
      `${f.uefi.file}: ${f.uefi.executable}${notes}`,
    );
  return check(
    id,
    'warn',
    'No UEFI firmware for guests: only BIOS guests can boot',
    `no QEMU firmware descriptor for x86_64 q35 with interface uefi (looked in /usr/share/qemu/firmware, /etc/qemu/firmware)${notes}`,
    'Install OVMF: `sudo apt install ovmf` (Fedora: edk2-ovmf).',
  );
}

export function firmwareSecureBoot(h: HostFacts): Check {
  const id = 'firmware.secure-boot';
  const f = h.firmware;
  const certNote =
    "Microsoft's 2011 Secure Boot certificates expire in 2026: guests created with 2011-only keys will need the 2023 certificates.";
  if (f.secureBootEnrolled)
    return check(
      id,
      'pass',
      'Secure Boot firmware with Microsoft keys enrolled (Windows 11 ready)',
      `${f.secureBootEnrolled.file}: ${f.secureBootEnrolled.executable}; needs SMM. ${certNote}`,
    );
  if (f.secureBoot)
    return check(
      id,
      'warn',
      'Secure Boot firmware without enrolled keys',
      `${f.secureBoot.file}: keys must be enrolled in each guest`,
      'Install the OVMF build with enrolled keys: `sudo apt install ovmf` (Debian 12 ships 40-edk2-x86_64-secure-enrolled.json).',
    );
  return check(
    id,
    'warn',
    'No Secure Boot firmware: Windows 11 will not install',
    'no descriptor with the secure-boot feature',
    'Install OVMF: `sudo apt install ovmf`.',
  );
}

export function tpmEmulator(h: HostFacts): Check {
  const id = 'tpm.emulator';
  const { swtpm, swtpmSetup } = h.tools;
  const host = h.hostTpm.present
    ? `host TPM ${h.hostTpm.versionMajor ?? '?'}.x present (not needed for guests)`
    : 'no host TPM (not needed for guests)';
  if (swtpm.known && swtpmSetup.known)
    return check(
      id,
      'pass',
      'TPM 2.0 emulation for guests (swtpm) is installed',
      `${swtpm.value}, ${swtpmSetup.value}; ${host}`,
    );
  const missing = [swtpm.known ? null : 'swtpm', swtpmSetup.known ? null : 'swtpm_setup']
    .filter(Boolean)
    .join(' and ');
  return check(
    id,
    'warn',
    `No TPM emulation: ${missing} missing (Windows 11 needs a TPM)`,
    host,
    'Install it: `sudo apt install swtpm swtpm-tools`.',
  );
}

export function libvirtDaemon(h: HostFacts): Check {
  const id = 'libvirt.daemon';
  const s = h.tools.libvirtSocket;
  const v = h.tools.libvirtVersion;
  if (s.known)
    return check(
      id,
      'pass',
      `The libvirt daemon answers${v.known ? ` (libvirt ${v.value})` : ''}`,
      `connected to ${s.value}`,
    );
  return check(
    id,
    'fail',
    'The libvirt daemon is not running',
    s.reason,
    'Install and start it: `sudo apt install libvirt-daemon-system` then `sudo systemctl enable --now libvirtd` (or start `libvirtd -d` where systemd does not run).',
  );
}

export function qemuVersion(h: HostFacts): Check {
  const id = 'qemu.version';
  const q = h.tools.qemu;
  if (!q.known)
    return check(
      id,
      'fail',
      'QEMU is not installed',
      q.reason,
      'Install it: `sudo apt install qemu-system-x86` (Fedora: qemu-kvm).',
    );
  if (!atLeast(q.value.version, MIN_QEMU))
    return check(
      id,
      'warn',
      `QEMU ${q.value.version} is old: ${MIN_QEMU.join('.')} or newer recommended`,
      q.value.path,
      'Upgrade qemu-system-x86 (e.g. from backports).',
    );
  return check(id, 'pass', `QEMU ${q.value.version}`, q.value.path);
}

export function netVhost(h: HostFacts): Check {
  const id = 'net.vhost';
  if (h.tools.vhostNet.known) return check(id, 'pass', 'vhost-net is available: fast virtio networking');
  return check(
    id,
    'warn',
    'No /dev/vhost-net: guest networking will be slower',
    h.tools.vhostNet.reason,
    'Load the module: `sudo modprobe vhost_net` (and add vhost_net to /etc/modules).',
  );
}

export function netTun(h: HostFacts): Check {
  const id = 'net.tun';
  if (h.tools.tun.known)
    return check(id, 'pass', '/dev/net/tun is available: bridged and NAT networking work');
  return check(
    id,
    'fail',
    'No /dev/net/tun: guests get only user-mode networking',
    h.tools.tun.reason,
    'Load the module: `sudo modprobe tun`.',
  );
}
