import type { CommandContext, CommandResult } from '../command.js';
import { InvalidInputError } from '../../errors.js';
import { addUsbRule, listUsbRules, removeUsbRule } from '../../devices/usb-rule-store.js';
import { withConnection } from './vm-connection.js';

/** `phyllo usb rule add|remove VID:PID[:SERIAL] --vm NAME`, `usb rule list [--vm NAME]`. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [action, rule] = ctx.positionals as ['add' | 'list' | 'remove', string | undefined];
  const vm = typeof ctx.values.vm === 'string' ? ctx.values.vm : undefined;
  if (action !== 'list' && (rule === undefined || vm === undefined))
    throw new InvalidInputError(`usb rule ${action} needs the rule and the VM`, {
      hint: `phyllo usb rule ${action} 046d:c52b --vm NAME (VID:PID as lsusb shows it, :SERIAL for one device only)`,
    });
  if (action === 'list' && rule !== undefined)
    throw new InvalidInputError(`usb rule list takes no rule (got ${rule})`, {
      hint: 'phyllo usb rule list [--vm NAME]',
    });
  return withConnection(ctx, async (lv) => {
    if (action === 'list') {
      const out = await listUsbRules(lv, vm);
      return {
        data: { vms: out },
        human: () =>
          out.some((v) => v.rules.length)
            ? out.flatMap((v) => v.rules.map((r) => `${v.vm}  ${r.id}`)).join('\n')
            : vm
              ? `VM "${vm}" has no USB rules.`
              : 'No VM has USB rules.',
      };
    }
    const out =
      action === 'add'
        ? await addUsbRule(lv, vm as string, rule as string)
        : await removeUsbRule(lv, vm as string, rule as string);
    return {
      data: out,
      human: () =>
        action === 'add'
          ? `"${out.vm}" gets USB devices matching ${out.rule} while it runs, with \`phyllo usb watch\` (or \`phyllo serve\`) running on its host.`
          : `Removed the USB rule ${out.rule} from "${out.vm}" (a device it attached stays until it is unplugged or the VM stops).`,
    };
  });
}
