import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostProbeFacts } from './assemble-host-facts.js';
import { loadFirmwareDescriptors, userFirmwareDir } from '../host/firmware-descriptors.js';

function read(root: string, rel: string): string | undefined {
  try {
    return readFileSync(join(root, rel), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The model's host facts that files below `root` tell (cores, memory, nested virtualization, render
 * node, firmware descriptors, swtpm, passt). KVM's verdict comes from the boot test and machine types
 * and domain capabilities from libvirt: see `gatherModelHostFacts` in `src/machines/`.
 */
export function fileHostFacts(
  options: { root?: string; session?: boolean } = {},
): Omit<HostProbeFacts, 'kvm'> {
  const root = options.root ?? '/';
  const cpuinfo = read(root, 'proc/cpuinfo') ?? '';
  const field = (name: string): string | undefined =>
    new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(cpuinfo)?.[1];
  const processors = (cpuinfo.match(/^processor\s*:/gm) ?? []).length || 1;
  const coresPerSocket = Number(field('cpu cores') ?? processors);
  const siblings = Number(field('siblings') ?? coresPerSocket);
  const threadsPerCore = Math.max(1, Math.round(siblings / coresPerSocket));
  const memKiB = Number(/^MemTotal:\s*(\d+)/m.exec(read(root, 'proc/meminfo') ?? '')?.[1] ?? 0);
  const nested = ['sys/module/kvm_intel/parameters/nested', 'sys/module/kvm_amd/parameters/nested'].some(
    (p) => /^[Y1]/.test(read(root, p) ?? ''),
  );
  const bin = (name: string): boolean =>
    ['usr/bin', 'usr/local/bin'].some((d) => existsSync(join(root, d, name)));
  const facts: Omit<HostProbeFacts, 'kvm'> = {
    cores: Math.max(1, Math.round(processors / threadsPerCore)),
    threadsPerCore,
    memoryKiB: memKiB,
    nested,
    firmware: loadFirmwareDescriptors(root, userFirmwareDir(root)),
    swtpm: bin('swtpm'),
    passt: bin('passt'),
    session: options.session ?? false,
  };
  if (existsSync(join(root, 'dev/dri/renderD128'))) facts.renderNode = '/dev/dri/renderD128';
  return facts;
}
