import type { CommandContext, CommandResult } from '../command.js';
import { InvalidInputError } from '../../errors.js';
import { listHostDevices, type DeviceListOutcome } from '../../devices/pci-device.js';
import {
  addHostDevice,
  checkAddRequest,
  removeHostDeviceById,
  type HostDeviceAddRequest,
} from '../../devices/host-device.js';
import { withConnection } from './vm-connection.js';

function listLines(name: string, out: DeviceListOutcome): string {
  const next = (live: boolean | undefined) => (live === false ? '  (at the next start)' : '');
  const lines = [
    ...out.devices.map(
      (d) =>
        `pci   ${d.address}  ${d.hostName ?? '(not on this host)'}${d.hostDriver ? `  host driver ${d.hostDriver}` : ''}${next(d.live)}`,
    ),
    ...out.usb.map(
      (u) =>
        `usb   ${u.id}  ${u.hostName ? `${u.hostName} at ${u.hostAddress}` : '(not plugged in now)'}${next(u.live)}`,
    ),
    ...out.mdev.map((m) => `mdev  ${m.uuid}  ${m.model}${next(m.live)}`),
  ];
  return lines.length ? lines.join('\n') : `VM "${name}" has no host devices.`;
}

/**
 * `phyllo vm device add NAME --pci ADDR [--with-group] | --usb VID:PID|BUS.DEVICE | --gpu ADDR --mdev TYPE`,
 * `vm device list NAME`, `vm device remove NAME DEVICE`.
 */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [action, name, device] = ctx.positionals as ['add' | 'list' | 'remove', string, string | undefined];
  const v = ctx.values;
  const root = typeof v.root === 'string' ? v.root : undefined;
  if (action === 'remove' && device === undefined)
    throw new InvalidInputError(
      'vm device remove needs the device: its PCI address, USB id (VID:PID or BUS.DEVICE) or mediated device UUID',
      {
        hint: `phyllo vm device list ${name} shows them; then phyllo vm device remove ${name} 0000:0b:00.0`,
      },
    );
  if (action !== 'remove' && device !== undefined)
    throw new InvalidInputError(`vm device ${action} takes only the VM's name (got ${device})`, {
      hint:
        action === 'add' ? `phyllo vm device add ${name} --pci ${device}` : `phyllo vm device list ${name}`,
    });
  const req: HostDeviceAddRequest = { withGroup: v['with-group'] === true };
  for (const k of ['pci', 'usb', 'gpu', 'mdev'] as const) if (typeof v[k] === 'string') req[k] = v[k];
  if (root !== undefined) req.root = root;
  if (action === 'add') checkAddRequest(name, req);
  return withConnection(ctx, async (lv) => {
    if (action === 'list') {
      const out = await listHostDevices(lv, name, root);
      return { data: out, human: () => listLines(name, out) };
    }
    if (action === 'remove') {
      const out = await removeHostDeviceById(lv, name, device as string);
      const when = out.applies === 'now' ? 'now' : 'at the next start';
      return {
        data: out,
        human: () =>
          out.kind === 'mdev'
            ? `Removed the mediated device ${out.removed} from "${name}": ${when} (${out.detail})${out.hostDeviceDestroyed ? '; its GPU has the slice back' : ''}.`
            : out.kind === 'usb'
              ? `Removed the USB device ${out.removed} from "${name}": ${when} (${out.detail}); the host has it back when the guest lets go.`
              : `Removed ${out.removed} from "${name}": ${when} (${out.detail}); it goes back to its host driver when the VM stops.`,
      };
    }
    const out = await addHostDevice(lv, name, req);
    const when = out.applies === 'now' ? 'now' : 'at the next start';
    if (out.kind === 'usb')
      return {
        data: out,
        human: () =>
          `Gave the USB device ${out.added.id} (${out.added.name}, at ${out.added.bus}.${out.added.device}) to "${name}": ${when} (${out.detail}).`,
      };
    if (out.kind === 'mdev')
      return {
        data: out,
        human: () =>
          `Gave "${name}" a ${out.type} slice of ${out.parent} (mediated device ${out.uuid}): ${when} (${out.detail}). It lasts until the host reboots.`,
      };
    return {
      data: out,
      human: () =>
        // The warnings come first, in capitals, so they cannot be missed (with --json: `warnings`).
        [
          ...out.warnings.map((w) => `WARNING: ${w}`),
          `Gave ${out.added.map((a) => `${a.address} (${a.name})`).join(', ')} to "${name}" (IOMMU group ${out.group}): ${when} (${out.detail}).`,
          out.bridgesKept.length
            ? `The group's bridges stay with the host: ${out.bridgesKept.join(', ')}.`
            : '',
        ]
          .filter(Boolean)
          .join('\n'),
    };
  });
}
