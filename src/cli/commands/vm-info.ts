import { vmInfoReport, type VmDecisions, type VmInfoReport } from '../../machines/vm-info-report.js';
import { InvalidInputError } from '../../errors.js';
import type { CommandContext, CommandResult } from '../command.js';
import { formatBytes, formatDuration } from '../human-units.js';
import { withConnection } from './vm-connection.js';

export type { VmDecisions, VmInfoReport };

function bytes(n: number | undefined | null): string {
  return n === undefined || n === null ? '?' : formatBytes(n);
}

export function renderVmInfo(r: VmInfoReport): string {
  const s = r.summary;
  const rows: [string, string][] = [
    ['Name', `${r.name} (${r.uuid})`],
    ['State', r.state + (s.uptimeSeconds !== null ? `, up ${formatDuration(s.uptimeSeconds)}` : '')],
    ['Autostart', r.autostart ? 'on (starts when the libvirt daemon starts)' : 'off'],
    ['OS', r.phyllome ? `${r.phyllome.os} (profile ${r.phyllome.profile})` : (r.libosinfoId ?? 'unknown')],
    ['Machine', `${r.domainType}, ${r.machine ?? '?'}, firmware ${r.firmware ?? '?'}`],
    ['vCPUs', s.vcpus === null ? '?' : String(s.vcpus)],
    [
      'Memory',
      bytes(s.memoryBytes) +
        (s.memoryInUseBytes !== null ? ` (QEMU holds ${bytes(s.memoryInUseBytes)})` : ''),
    ],
    [
      'Display',
      r.displays.length
        ? r.displays
            .map(
              (d) =>
                (d.address ?? `${d.type}${d.listen ? ` on ${d.listen}` : ''}`) +
                (d.note ? ` (${d.note})` : d.address ? '' : ' (address when running)'),
            )
            .join(', ')
        : 'none',
    ],
    ['NVRAM', r.nvram ? stateFile(r.nvram) : 'none (BIOS firmware)'],
    ['TPM', r.tpm ? `${r.tpm.model} ${r.tpm.version}, state ${stateFile(r.tpm)}` : 'none'],
    [
      'Snapshots',
      r.snapshots.length
        ? r.snapshots.map((x) => `${x.name}${x.createdAt ? ` (${x.createdAt})` : ''}`).join(', ')
        : 'none',
    ],
    ['Clones of it', r.dependentClones.length ? r.dependentClones.join(', ') : 'none'],
  ];
  const lines = rows.map(([k, v]) => `${k.padEnd(13)} ${v}`);
  lines.push('', 'Disks:');
  for (const d of r.disks) {
    lines.push(
      `  ${d.target} ${d.device}${d.bus ? ` ${d.bus}` : ''}${d.format ? ` ${d.format}` : ''}: ${d.source ?? 'empty'}` +
        (d.capacityBytes !== undefined
          ? `, ${bytes(d.allocationBytes)} used of ${bytes(d.capacityBytes)}`
          : ''),
    );
    const chain = d.backingChain;
    if (chain === null) lines.push('     backing chain: unknown from here');
    else
      for (const img of chain.slice(1))
        lines.push(`     ↳ based on ${img.path}${img.format ? ` (${img.format})` : ''}`);
  }
  if (!r.disks.length) lines.push('  none');
  lines.push(
    '',
    'Devices:',
    ...r.devices.map((d) => `  ${d.kind.padEnd(12)} ${d.summary}${d.count > 1 ? ` (×${d.count})` : ''}`),
  );
  const m = r.model;
  lines.push('');
  if (m.source === 'unavailable') lines.push(`Model choices: unknown (${m.reason}).`);
  else {
    lines.push(
      `Model choices, re-derived now from the options recorded at creation (model version ${m.recordedModelVersion}` +
        (m.currentModelVersion !== m.recordedModelVersion
          ? `, re-run with version ${m.currentModelVersion}`
          : '') +
        ", with today's host facts):",
    );
    const w = Math.max(...m.decisions.map((d) => d.topic.length));
    for (const d of m.decisions)
      lines.push(`  ${d.topic.padEnd(w)}  ${d.choice}`, `  ${' '.repeat(w)}  ↳ ${d.reason}`);
  }
  return lines.join('\n');
}

function stateFile(f: { path: string; exists: boolean | null }): string {
  return f.path + (f.exists === null ? '' : f.exists ? '' : ' (made when it first starts)');
}

/** `phyllo vm info NAME`: the model's choices with reasons, devices, disks, display, NVRAM, TPM, snapshots. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const name = ctx.positionals[0];
  if (!name)
    throw new InvalidInputError('Which VM? `phyllo vm info NAME`', { hint: 'Run `phyllo vm list`.' });
  const report = await withConnection(ctx, (lv) => vmInfoReport(lv, name));
  return { data: report, human: () => renderVmInfo(report) };
}
