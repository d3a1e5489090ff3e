import { measureOverhead, type OverheadGroup, type OverheadReport } from '../../host/overhead.js';
import { InvalidInputError } from '../../errors.js';
import type { CommandContext, CommandResult } from '../command.js';
import { formatBytes } from '../human-units.js';
import { textTable } from '../text-table.js';

const LABEL: Record<OverheadGroup, string> = {
  host: 'host OS (kernel, system services)',
  virtualization: 'libvirt and its helpers',
  phyllome: 'Phyllome',
  guests: 'guests (QEMU)',
};

export function renderOverhead(r: OverheadReport): string {
  const rows = (['host', 'virtualization', 'phyllome', 'guests'] as const).map((g) => {
    const u = r.groups[g];
    const top = u.top
      .slice(0, 3)
      .map((t) => `${t.name} ${formatBytes(t.memoryBytes)}`)
      .join(', ');
    return [LABEL[g], formatBytes(u.memoryBytes), `${u.cpuPercent}%`, String(u.processes), top];
  });
  const lines = [
    textTable(['', 'memory', 'CPU', 'processes', 'biggest'], rows),
    '',
    `Memory: ${formatBytes(r.memory.totalBytes)} in all; ${formatBytes(r.memory.leftForGuestsBytes)} is left for guests once the host, libvirt and Phyllome have theirs` +
      (r.memory.availableBytes === null ? '.' : ` (${formatBytes(r.memory.availableBytes)} free right now).`),
    `CPU: ${r.cpu.busyPercent}% of ${r.cpu.cores || '?'} logical CPUs busy over ${r.cpu.sampleMs} ms.`,
    '',
  ];
  if (r.services.unneeded.length) {
    lines.push('Services a headless VM host may not need:');
    for (const s of r.services.unneeded)
      lines.push(
        `  ${s.name}: ${s.why}` +
          (s.memoryBytes ? ` (${formatBytes(s.memoryBytes)})` : '') +
          (s.fix ? `; stop it: ${s.fix}` : ''),
      );
  } else lines.push('No services found that a headless VM host would not need.');
  lines.push(r.services.note);
  return lines.join('\n');
}

/** `phyllo host overhead [--sample MS]`: what the host costs its guests. */
export async function run(ctx: CommandContext): Promise<CommandResult<OverheadReport>> {
  const root = typeof ctx.values.root === 'string' ? ctx.values.root : '/';
  const sample = typeof ctx.values.sample === 'string' ? Number(ctx.values.sample) : undefined;
  if (sample !== undefined && !(Number.isInteger(sample) && sample >= 0 && sample <= 60_000))
    throw new InvalidInputError(`--sample ${String(ctx.values.sample)} is not a number of milliseconds`, {
      hint: 'Give 0 to 60000, e.g. --sample 1000.',
    });
  const report = await measureOverhead({ root, ...(sample === undefined ? {} : { sampleMs: sample }) });
  return { data: report, human: () => renderOverhead(report) };
}
