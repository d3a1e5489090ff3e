import type { CommandContext, CommandResult } from '../command.js';
import { InvalidInputError } from '../../errors.js';
import {
  addPciDevice,
  listHostDevices,
  removeHostDevice,
  type PciAddRequest,
} from '../../devices/pci-device.js';
import { addMdevDevice, removeMdevDevice } from '../../devices/mdev-device.js';
import { addUsbDevice, definedUsbIds, removeUsbDevice } from '../../devices/usb-device.js';
import { findVm } from '../../machines/find-vm.js';
import type { DeviceListOutcome } from '../../devices/pci-device.js';
import { withConnection } from './vm-connection.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `vm device remove`'s DEVICE is USB when it has USB's shape: `VID:PID` or `BUS.DEVICE`. */
const USB_ID = /^(?:0x)?[0-9a-f]{4}:(?:0x)?[0-9a-f]{4}$|^\d{1,3}\.\d{1,3}$/i;

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
  const given = (['pci', 'usb', 'gpu'] as const).filter((k) => typeof v[k] === 'string');
  if (action === 'add' && given.length !== 1)
    throw new InvalidInputError(
      given.length
        ? `vm device add takes one device at a time (got --${given.join(' and --')})`
        : 'vm device add needs the device: --pci ADDR, --usb VID:PID|BUS.DEVICE or --gpu ADDR --mdev TYPE',
      {
        hint: `phyllo host devices lists them; then phyllo vm device add ${name} --pci 0000:0b:00.0 (or --usb 046d:c52b)`,
      },
    );
  if (action === 'add' && (typeof v.gpu === 'string') !== (typeof v.mdev === 'string'))
    throw new InvalidInputError('--gpu and --mdev go together: the GPU to slice and the type of slice', {
      hint: `phyllo host devices shows each GPU's mediated device types; then phyllo vm device add ${name} --gpu 0000:00:02.0 --mdev i915-GVTg_V5_4`,
    });
  return withConnection(ctx, async (lv) => {
    if (action === 'list') {
      const out = await listHostDevices(lv, name, root);
      return { data: out, human: () => listLines(name, out) };
    }
    if (action === 'remove' && UUID.test(device as string)) {
      const out = await removeMdevDevice(lv, name, device as string);
      return {
        data: out,
        human: () =>
          `Removed the mediated device ${out.removed} from "${name}": ${out.applies === 'now' ? 'now' : 'at the next start'} (${out.detail})${out.hostDeviceDestroyed ? '; its GPU has the slice back' : ''}.`,
      };
    }
    if (action === 'remove' && USB_ID.test(device as string)) {
      const known = await definedUsbIds(await findVm(lv, name));
      const out = await removeUsbDevice(lv, name, device as string, known);
      return {
        data: out,
        human: () =>
          `Removed the USB device ${out.removed} from "${name}": ${out.applies === 'now' ? 'now' : 'at the next start'} (${out.detail}); the host has it back when the guest lets go.`,
      };
    }
    if (action === 'remove') {
      const out = await removeHostDevice(lv, name, device as string);
      return {
        data: out,
        human: () =>
          `Removed ${out.removed} from "${name}": ${out.applies === 'now' ? 'now' : 'at the next start'} (${out.detail}); it goes back to its host driver when the VM stops.`,
      };
    }
    if (typeof v.usb === 'string') {
      const out = await addUsbDevice(lv, name, v.usb);
      return {
        data: out,
        human: () =>
          `Gave the USB device ${out.added.id} (${out.added.name}, at ${out.added.bus}.${out.added.device}) to "${name}": ${out.applies === 'now' ? 'now' : 'at the next start'} (${out.detail}).`,
      };
    }
    if (typeof v.gpu === 'string') {
      const req = { gpu: v.gpu, type: v.mdev as string, ...(root !== undefined ? { root } : {}) };
      const out = await addMdevDevice(lv, name, req);
      return {
        data: out,
        human: () =>
          `Gave "${name}" a ${out.type} slice of ${out.parent} (mediated device ${out.uuid}): ${out.applies === 'now' ? 'now' : 'at the next start'} (${out.detail}). It lasts until the host reboots.`,
      };
    }
    const req: PciAddRequest = { address: v.pci as string, withGroup: v['with-group'] === true };
    if (root !== undefined) req.root = root;
    const out = await addPciDevice(lv, name, req);
    return {
      data: out,
      human: () =>
        // The warnings come first, in capitals, so they cannot be missed (with --json: `warnings`).
        [
          ...out.warnings.map((w) => `WARNING: ${w}`),
          `Gave ${out.added.map((a) => `${a.address} (${a.name})`).join(', ')} to "${name}" (IOMMU group ${out.group}): ${out.applies === 'now' ? 'now' : 'at the next start'} (${out.detail}).`,
          out.bridgesKept.length
            ? `The group's bridges stay with the host: ${out.bridgesKept.join(', ')}.`
            : '',
        ]
          .filter(Boolean)
          .join('\n'),
    };
  });
}
