import type { CommandContext, CommandResult } from '../command.js';
import { InvalidInputError } from '../../errors.js';
import {
  addPciDevice,
  listHostDevices,
  removeHostDevice,
  type PciAddRequest,
} from '../../devices/pci-device.js';
import { withConnection } from './vm-connection.js';

/** `phyllo vm device add NAME --pci ADDR [--with-group]`, `vm device list NAME`, `vm device remove NAME DEVICE`. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [action, name, device] = ctx.positionals as ['add' | 'list' | 'remove', string, string | undefined];
  const v = ctx.values;
  const root = typeof v.root === 'string' ? v.root : undefined;
  if (action === 'remove' && device === undefined)
    throw new InvalidInputError('vm device remove needs the device: its PCI address', {
      hint: `phyllo vm device list ${name} shows them; then phyllo vm device remove ${name} 0000:0b:00.0`,
    });
  if (action !== 'remove' && device !== undefined)
    throw new InvalidInputError(`vm device ${action} takes only the VM's name (got ${device})`, {
      hint:
        action === 'add' ? `phyllo vm device add ${name} --pci ${device}` : `phyllo vm device list ${name}`,
    });
  if (action === 'add' && typeof v.pci !== 'string')
    throw new InvalidInputError('vm device add needs the device: --pci ADDR', {
      hint: `phyllo host devices lists them; then phyllo vm device add ${name} --pci 0000:0b:00.0`,
    });
  return withConnection(ctx, async (lv) => {
    if (action === 'list') {
      const out = await listHostDevices(lv, name, root);
      return {
        data: out,
        human: () =>
          out.devices.length
            ? out.devices
                .map(
                  (d) =>
                    `${d.address}  ${d.hostName ?? '(not on this host)'}${d.hostDriver ? `  host driver ${d.hostDriver}` : ''}${d.live === false ? '  (at the next start)' : ''}`,
                )
                .join('\n')
            : `VM "${name}" has no host devices.`,
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
