import type { CommandContext, CommandResult } from '../command.js';
import { InvalidInputError } from '../../errors.js';
import { addNic, listNics, removeNic, type NicAddRequest } from '../../devices/nic.js';
import type { NicModel } from '../../devices/nic-xml.js';
import { withConnection } from './vm-connection.js';

const when = (applies: 'now' | 'next-start', detail: string): string =>
  `${applies === 'now' ? 'now' : 'at the next start'} (${detail})`;

/** `phyllo vm nic add|list|remove NAME [MAC|INDEX]`: extra network cards, persistent and hot-plugged. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [action, name, which] = ctx.positionals as ['add' | 'list' | 'remove', string, string | undefined];
  const v = ctx.values;
  if (action === 'remove' && which === undefined)
    throw new InvalidInputError('vm nic remove needs the card: its MAC address or its index', {
      hint: `phyllo vm nic list ${name} shows them; then phyllo vm nic remove ${name} 52:54:00:12:34:56`,
    });
  if (action !== 'remove' && which !== undefined)
    throw new InvalidInputError(`vm nic ${action} takes only the VM's name (got ${which})`, {
      hint: `phyllo vm nic ${action} ${name}`,
    });
  return withConnection(ctx, async (lv) => {
    if (action === 'list') {
      const out = await listNics(lv, name);
      return {
        data: out,
        human: () =>
          out.nics.length
            ? out.nics
                .map(
                  (n) =>
                    `${n.index}  ${n.mac ?? '-'}  ${n.type}${n.source ? ` ${n.source}` : ''}  ${n.model ?? ''}${n.live === false ? '  (at the next start)' : ''}`,
                )
                .join('\n')
            : `VM "${name}" has no network cards.`,
      };
    }
    if (action === 'remove') {
      const out = await removeNic(lv, name, which as string);
      return {
        data: out,
        human: () =>
          `Removed the network card ${out.removed.mac ?? out.removed.index} from "${name}": ${when(out.applies, out.detail)}.`,
      };
    }
    const req: NicAddRequest = {};
    if (typeof v.network === 'string') req.network = v.network;
    if (typeof v.bridge === 'string') req.bridge = v.bridge;
    if (typeof v.model === 'string') req.model = v.model as NicModel;
    if (typeof v.mac === 'string') req.mac = v.mac;
    const out = await addNic(lv, name, req);
    if (!ctx.json) for (const w of out.warnings) ctx.progress.write(`warning: ${w}\n`);
    return {
      data: out,
      human: () =>
        `Added a ${out.nic.model} network card${out.nic.mac ? ` ${out.nic.mac}` : ''} on the ${out.nic.type} ${out.nic.source} to "${name}": ${when(out.applies, out.detail)}.`,
    };
  });
}
