import { connect, defaultUri } from '../../libvirt/index.js';
import { listVms, type VmListEntry } from '../../machines/vm-list.js';
import type { CommandContext, CommandResult } from '../command.js';
import { formatBytes, formatDuration } from '../human-units.js';
import { textTable } from '../text-table.js';

/** How long `--cpu` waits between the two stats samples. */
export const CPU_SAMPLE_MS = 500;

const dash = '-';

function disk(e: VmListEntry): string {
  if (e.diskCapacityBytes === null) return e.disks.length ? '?' : 'none';
  const alloc = e.diskAllocationBytes === null ? '?' : formatBytes(e.diskAllocationBytes);
  return `${alloc} / ${formatBytes(e.diskCapacityBytes)}`;
}

export function renderVmList(vms: VmListEntry[], cpuSampled: boolean): string {
  if (!vms.length) return 'No VMs. Create one with `phyllo vm create NAME --os ID`.';
  const active = (e: VmListEntry) =>
    e.memoryInUseBytes !== null || e.state === 'running' || e.state === 'paused';
  const rows = vms.map((e) => [
    e.name,
    e.state,
    e.os ?? dash,
    e.vcpus === null ? '?' : String(e.vcpus),
    e.memoryBytes === null ? '?' : formatBytes(e.memoryBytes),
    disk(e),
    active(e) ? (e.uptimeSeconds === null ? 'unknown' : formatDuration(e.uptimeSeconds)) : dash,
    active(e) ? (e.cpuPercent === null ? (cpuSampled ? '?' : dash) : `${e.cpuPercent}%`) : dash,
    active(e) ? (e.memoryInUseBytes === null ? '?' : formatBytes(e.memoryInUseBytes)) : dash,
  ]);
  const table = textTable(
    ['NAME', 'STATE', 'OS', 'VCPUS', 'MEMORY', 'DISK (USED / SIZE)', 'UPTIME', 'CPU', 'MEM USED'],
    rows,
    new Set([3, 4, 7, 8]),
  );
  const notes: string[] = [];
  if (!cpuSampled && vms.some(active)) notes.push('CPU % needs two samples: add --cpu (0.5 s longer).');
  if (vms.some((e) => active(e) && e.uptimeSeconds === null))
    notes.push('Uptime is known only for VMs on this computer (the age of their QEMU process).');
  return [table, ...notes.map((n) => '\n' + n)].join('');
}

/** `phyllo vm list [--cpu]`: every VM with state, OS, vCPUs, memory, disk use; uptime and use for running ones. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const uri = typeof ctx.values.connect === 'string' ? ctx.values.connect : defaultUri();
  const cpu = ctx.values.cpu === true;
  const lv = await connect(uri);
  try {
    const vms = await listVms(lv, cpu ? { cpuSampleMs: CPU_SAMPLE_MS } : {});
    return { data: vms, human: () => renderVmList(vms, cpu) };
  } finally {
    await lv.close();
  }
}
