import { connect, defaultUri, DOMAIN_STATES, type DomainState } from '../../libvirt/index.js';
import { hostStatus, type StatusReport } from '../../machines/host-status.js';
import type { CommandContext, CommandResult } from '../command.js';

export type { StatusReport };

/** `status` on its own connection (`uri`, else the default), closed afterwards. */
export async function status(
  opts: { uri?: string; root?: string; retest?: boolean } = {},
): Promise<StatusReport> {
  const lv = await connect(opts.uri ?? defaultUri());
  try {
    return await hostStatus(lv, {
      ...(opts.root !== undefined ? { root: opts.root } : {}),
      ...(opts.retest ? { retest: true } : {}),
    });
  } finally {
    await lv.close();
  }
}

export function renderStatus(r: StatusReport): string {
  const counts = DOMAIN_STATES.filter((s) => r.vms.byState[s]).map((s) => `${r.vms.byState[s]} ${label(s)}`);
  const rows: [string, string][] = [
    ['Connection', r.uri],
    ['Host', r.hostname],
    ['libvirt', r.libvirtVersion],
    ['Hypervisor', `${r.hypervisor.type} ${r.hypervisor.version}`],
    [
      'Accelerators',
      r.accelerators.length ? `libvirt offers ${r.accelerators.join(', ')}` : 'none offered for x86_64',
    ],
    ['KVM', r.kvm.summary + ('detail' in r.kvm && r.kvm.detail ? `\n${' '.repeat(14)}${r.kvm.detail}` : '')],
    ['VMs', r.vms.total === 0 ? 'none defined' : `${r.vms.total} in all: ${counts.join(', ')}`],
  ];
  return rows.map(([k, v]) => `${k.padEnd(12)}  ${v}`).join('\n');
}

function label(s: DomainState): string {
  return s === 'shutoff' ? 'shut off' : s;
}

export async function run(ctx: CommandContext): Promise<CommandResult<StatusReport>> {
  const report = await status({
    ...(typeof ctx.values.connect === 'string' ? { uri: ctx.values.connect } : {}),
    ...(typeof ctx.values.root === 'string' ? { root: ctx.values.root } : {}),
    ...(ctx.values.retest === true ? { retest: true } : {}),
  });
  return { data: report, human: () => renderStatus(report) };
}
