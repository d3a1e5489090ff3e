import { known, unknown, type Fact } from './fact.js';
import { parseQemuVersion } from './kvm-verdict.js';
import { QEMU_X86 } from './qemu-boot.js';
import type { HostSystem } from './system.js';

export interface ToolFacts {
  qemu: Fact<{ path: string; version: string }>;
  swtpm: Fact<string>;
  swtpmSetup: Fact<string>;
  /** The libvirt daemon socket that answered (`/run/libvirt/libvirt-sock`). */
  libvirtSocket: Fact<string>;
  /** From `libvirtd --version` (or `virtqemud --version` on modular installs). */
  libvirtVersion: Fact<string>;
  vhostNet: Fact<true>;
  tun: Fact<true>;
}

/** Monolithic libvirtd, then the modular QEMU driver daemon. */
export const LIBVIRT_SOCKETS = ['/run/libvirt/libvirt-sock', '/run/libvirt/virtqemud-sock'];
const LIBVIRT_DAEMONS = ['libvirtd', 'virtqemud'];
const VERSION_TIMEOUT_MS = 5000;

async function qemuFact(system: HostSystem): Promise<Fact<{ path: string; version: string }>> {
  const path = await system.which(QEMU_X86);
  if (!path.known) return path;
  const out = await system.run(QEMU_X86, ['--version'], VERSION_TIMEOUT_MS);
  if (!out.known) return out;
  const version = parseQemuVersion(out.value.stdout);
  return version ? known({ path: path.value, version }) : unknown(`${QEMU_X86} --version printed no version`);
}

/** `libvirtd (libvirt) 9.0.0` → `9.0.0`. */
export function parseLibvirtVersion(text: string): string | undefined {
  return /\(libvirt\)\s+(\d+\.\d+\.\d+)/.exec(text)?.[1];
}

async function libvirtVersionFact(system: HostSystem): Promise<Fact<string>> {
  const reasons: string[] = [];
  for (const daemon of LIBVIRT_DAEMONS) {
    const out = await system.run(daemon, ['--version'], VERSION_TIMEOUT_MS);
    const version = out.known ? parseLibvirtVersion(out.value.stdout) : undefined;
    if (version) return known(version);
    reasons.push(out.known ? `${daemon} --version printed no version` : out.reason);
  }
  return unknown(reasons.join('; '));
}

async function libvirtFact(system: HostSystem): Promise<Fact<string>> {
  const reasons: string[] = [];
  for (const s of LIBVIRT_SOCKETS) {
    const c = await system.connect(s);
    if (c.known) return known(s);
    reasons.push(c.reason);
  }
  return unknown(reasons.join('; '));
}

export async function probeTools(system: HostSystem): Promise<ToolFacts> {
  const [qemu, swtpm, swtpmSetup, libvirtSocket, libvirtVersion, vhostNet, tun] = await Promise.all([
    qemuFact(system),
    system.which('swtpm'),
    system.which('swtpm_setup'),
    libvirtFact(system),
    libvirtVersionFact(system),
    system.canOpen('/dev/vhost-net'),
    system.canOpen('/dev/net/tun'),
  ]);
  return { qemu, swtpm, swtpmSetup, libvirtSocket, libvirtVersion, vhostNet, tun };
}
