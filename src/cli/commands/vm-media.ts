import type { CommandContext, CommandResult } from '../command.js';
import { InvalidInputError } from '../../errors.js';
import { changeMedia, type MediaRequest } from '../../machines/vm-media.js';
import { withConnection } from './vm-connection.js';

/** `phyllo vm media NAME insert PATH | eject`: a CD-ROM drive's medium, live and persistent. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [name, action, path] = ctx.positionals as [string, 'insert' | 'eject', string | undefined];
  if (action === 'insert' && path === undefined)
    throw new InvalidInputError('insert needs the ISO: `phyllo vm media NAME insert PATH`', {
      hint: `e.g. phyllo vm media ${name} insert ~/virtio-win.iso`,
    });
  if (action === 'eject' && path !== undefined)
    throw new InvalidInputError(`eject takes no PATH (got ${path})`, {
      hint: `phyllo vm media ${name} eject`,
    });
  const req: MediaRequest = { action };
  if (path !== undefined) req.path = path;
  if (typeof ctx.values.target === 'string') req.target = ctx.values.target;
  if (ctx.values['add-drive'] === true) req.addDrive = true;
  const out = await withConnection(ctx, (lv) => changeMedia(lv, name, req));
  const when = out.applies === 'now' ? 'now and in its definition' : 'in its definition (it is shut off)';
  return {
    data: out,
    human: () =>
      out.addedDrive
        ? `Added the SATA CD-ROM drive ${out.target} to "${name}" with ${out.source}.`
        : out.source
          ? `Inserted ${out.source} into ${out.target} of "${name}", ${when}${out.previous ? ` (replacing ${out.previous})` : ''}.`
          : `Ejected ${out.previous ?? 'nothing (the drive was empty)'} from ${out.target} of "${name}", ${when}.`,
  };
}
