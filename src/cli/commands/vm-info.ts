import { connect, defaultUri, parseUri } from '../../libvirt/index.js';
import { gatherModelHostFacts } from '../../machines/model-host-facts.js';
import { vmInfo, type VmInfoFacts } from '../../machines/vm-info.js';
import { buildModel, MODEL_VERSION, type ExplainedDecision } from '../../model/build-model.js';
import { InvalidInputError } from '../../errors.js';
import type { CommandContext, CommandResult } from '../command.js';
import { formatBytes, formatDuration } from '../human-units.js';
import { modelOptionsFrom } from './os-model-options.js';

/**
 * The model's choices for a VM. Create stores the OS and the options given, not the reasons; the reasons
 * are re-derived by running the model again on those options with the host's facts of today, and say so.
 */
export type VmDecisions =
  | {
      source: 're-derived';
      /** The model version the VM was created with, and the one that re-derived the reasons. */
      recordedModelVersion: number;
      currentModelVersion: number;
      decisions: ExplainedDecision[];
      warnings: string[];
    }
  | { source: 'unavailable'; reason: string };

export type VmInfoReport = VmInfoFacts & { model: VmDecisions };

const BOOLEAN_OPTIONS = new Set(['session', 'migratable']);

async function rederive(
  lv: Parameters<typeof gatherModelHostFacts>[0],
  info: VmInfoFacts,
  session: boolean,
): Promise<VmDecisions> {
  const meta = info.phyllome;
  if (!meta?.os)
    return { source: 'unavailable', reason: 'not created by phyllo: its metadata records no OS and options' };
  try {
    const values = Object.fromEntries(
      Object.entries(meta.options).map(([k, v]) => [k, BOOLEAN_OPTIONS.has(k) ? v === 'true' : v]),
    );
    const options = modelOptionsFrom({ values } as unknown as CommandContext, info.name, meta.os);
    const host = await gatherModelHostFacts(lv, { session });
    const result = buildModel({ ...options, session }, host);
    return {
      source: 're-derived',
      recordedModelVersion: meta.modelVersion,
      currentModelVersion: MODEL_VERSION,
      decisions: result.decisions,
      warnings: result.warnings,
    };
  } catch (err) {
    return {
      source: 'unavailable',
      reason: `the model could not run again on the recorded options: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

function bytes(n: number | undefined | null): string {
  return n === undefined || n === null ? '?' : formatBytes(n);
}

export function renderVmInfo(r: VmInfoReport): string {
  const s = r.summary;
  const rows: [string, string][] = [
    ['Name', `${r.name} (${r.uuid})`],
    ['State', r.state + (s.uptimeSeconds !== null ? `, up ${formatDuration(s.uptimeSeconds)}` : '')],
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
  const uri = typeof ctx.values.connect === 'string' ? ctx.values.connect : defaultUri();
  const lv = await connect(uri);
  try {
    const info = await vmInfo(lv, name);
    const report: VmInfoReport = {
      ...info,
      model: await rederive(lv, info, parseUri(uri).path === '/session'),
    };
    return { data: report, human: () => renderVmInfo(report) };
  } finally {
    await lv.close();
  }
}
