import { kvmVerdict, type KvmVerdict } from '../../host/kvm-verdict.js';
import { connect, defaultUri, DOMAIN_STATES, type DomainState } from '../../libvirt/index.js';
import { remoteHostOf } from '../../machines/model-host-facts.js';
import { parseCapabilities, x86Guest } from '../../model/capabilities.js';
import type { CommandContext, CommandResult } from '../command.js';

export interface StatusReport {
  uri: string;
  hostname: string;
  libvirtVersion: string;
  hypervisor: { type: string; version: string };
  /** Domain types libvirt offers for x86_64 guests, e.g. ["qemu", "kvm"]. */
  accelerators: string[];
  /**
   * Whether KVM really runs a guest on the connection's host (boot test, cached): run here for a local
   * connection, through libvirt on that host for a remote one.
   */
  kvm: Pick<KvmVerdict, 'state' | 'usable' | 'summary' | 'detail' | 'cached'>;
  vms: { total: number; byState: Partial<Record<DomainState, number>> };
}

/** The libvirt connection, versions, accelerators, whether KVM really works, and VM counts. */
export async function status(
  opts: { uri?: string; root?: string; retest?: boolean } = {},
): Promise<StatusReport> {
  const uri = opts.uri ?? defaultUri();
  const remote = remoteHostOf(uri) !== undefined;
  const lv = await connect(uri);
  try {
    const [hostname, lib, hv, type, capsXml, domains, daemonUri] = await Promise.all([
      lv.hostname(),
      lv.libVersion(),
      lv.hypervisorVersion(),
      lv.type(),
      lv.capabilities(),
      lv.domains.listWithState(),
      lv.uri(),
    ]);
    const caps = parseCapabilities(capsXml);
    const x86 = x86Guest(caps);
    const byState: Partial<Record<DomainState, number>> = {};
    for (const d of domains) byState[d.state] = (byState[d.state] ?? 0) + 1;
    const retest = opts.retest ? { retest: true } : {};
    const kvm = pick(
      remote
        ? await (await import('../../machines/remote-kvm-verdict.js')).remoteKvmVerdict(lv, retest)
        : await kvmVerdict({ root: opts.root ?? '/', ...retest }),
    );
    return {
      uri: daemonUri,
      hostname,
      libvirtVersion: `${lib.major}.${lib.minor}.${lib.release}`,
      hypervisor: { type, version: `${hv.major}.${hv.minor}.${hv.release}` },
      accelerators: x86?.domainTypes ?? [],
      kvm,
      vms: { total: domains.length, byState },
    };
  } finally {
    await lv.close();
  }
}

function pick(v: KvmVerdict): StatusReport['kvm'] {
  return { state: v.state, usable: v.usable, summary: v.summary, detail: v.detail, cached: v.cached };
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
