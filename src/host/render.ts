import type { Check, CheckStatus } from './checks/types.js';
import { mapWarnings, type DeviceEntry, type DeviceMap } from './devices.js';
import type { HostReport } from './host-check.js';

const MARK: Record<CheckStatus, string> = { pass: '✔', warn: '!', fail: '✘', info: 'i' };
const VERDICT_WORDS = {
  ready: 'READY: this computer can run guests at full speed',
  degraded: 'DEGRADED: guests will run, with the limits marked ✘ below',
  unusable: 'UNUSABLE: fix the ✘ items below before creating guests',
} as const;

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

function renderCheck(c: Check, width: number): string {
  const lines = [`${MARK[c.status]} ${c.status.padEnd(4)}  ${c.id.padEnd(width)}  ${c.summary}`];
  const pad = ' '.repeat(width + 10);
  if (c.detail && c.status !== 'pass') lines.push(indent(c.detail, pad));
  if (c.fix && (c.status === 'fail' || c.status === 'warn')) lines.push(indent(`fix: ${c.fix}`, pad));
  return lines.join('\n');
}

export function renderReport(r: HostReport): string {
  const width = Math.max(...r.checks.map((c) => c.id.length));
  const counts = (['fail', 'warn', 'pass', 'info'] as const)
    .map((s) => `${r.checks.filter((c) => c.status === s).length} ${s}`)
    .join(', ');
  return [
    `Host check: ${VERDICT_WORDS[r.verdict]}`,
    '',
    ...r.checks.map((c) => renderCheck(c, width)),
    '',
    `Verdict: ${r.verdict} (${counts})`,
    '',
  ].join('\n');
}

function renderDevice(d: DeviceEntry): string {
  const extra = [
    d.bridge ? 'bridge' : null,
    d.driver ? `driver ${d.driver}` : 'no driver',
    d.resetMethods.length ? `reset ${d.resetMethods.join(',')}` : 'no reset',
  ].filter(Boolean);
  return `  ${d.address}  [${d.vendorId}:${d.deviceId}] ${d.name}  (${extra.join('; ')})`;
}

/** The map for people; `pci` (every PCI device) is listed when there are no IOMMU groups to show. */
export function renderDeviceMap(m: DeviceMap, pci: DeviceEntry[] = []): string {
  const out: string[] = [];
  for (const w of mapWarnings(m)) out.push(`! ${w}`);
  if (out.length) out.push('');
  if (!m.groups.length && pci.length) {
    out.push('PCI devices (no IOMMU groups):');
    for (const d of pci) out.push(renderDevice(d));
    out.push('');
  }
  for (const g of m.groups) {
    out.push(`IOMMU group ${g.id}: ${g.verdict}`);
    for (const d of g.devices) out.push(renderDevice(d));
    for (const r of g.reasons) out.push(`  - ${r}`);
    out.push('');
  }
  if (m.gpus.length) {
    out.push('GPUs:');
    for (const g of m.gpus) {
      const bits = [
        g.bootVga ? 'boot VGA' : null,
        g.drivesDisplay
          ? `display on ${g.connectors
              .filter((c) => c.connected)
              .map((c) => c.name)
              .join(', ')}`
          : null,
        g.renderNode ? `render ${g.renderNode}` : 'no render node',
        g.mdevTypes.length ? `mdev ${g.mdevTypes.join(', ')}` : null,
        g.sriovTotalVfs ? `${g.sriovTotalVfs} SR-IOV VFs` : null,
      ].filter(Boolean);
      out.push(`  ${g.address}  ${g.name}  (${bits.join('; ')})`);
    }
    out.push('');
  }
  if (m.usb.length) {
    out.push('USB devices:');
    for (const u of m.usb)
      out.push(
        `  ${u.port.padEnd(8)} [${u.vendorId}:${u.productId}] ${u.name}  (${u.kind}${u.controller ? `, on ${u.controller}` : ''})`,
      );
    out.push('');
  }
  if (!m.groups.length && !pci.length && !m.gpus.length && !m.usb.length) out.push('No devices found.', '');
  return out.join('\n');
}
