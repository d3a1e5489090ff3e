import type { CommandContext, CommandResult } from '../command.js';
import { editVm } from '../../machines/edit-vm.js';
import { confirm, editText } from '../editor.js';
import { withConnection } from './vm-connection.js';

/**
 * `phyllo vm edit NAME`: the VM's domain XML in $VISUAL/$EDITOR; redefined only if libvirt accepts
 * the edited text (schema-validated define), otherwise libvirt's error and the unchanged VM. On a
 * terminal a refused edit may be re-edited at once.
 */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const name = ctx.positionals[0] as string;
  const outcome = await withConnection(ctx, (lv) =>
    editVm(
      lv,
      name,
      async (xml) => editText(xml, `${name}.xml`, { quietStdout: ctx.json }),
      async (err) => {
        if (!ctx.isTTY || ctx.json || !process.stdin.isTTY) return false;
        ctx.progress.write(`error: ${err.message}\n`);
        return confirm('Edit it again?');
      },
    ),
  );
  return {
    data: { name: outcome.name, changed: outcome.changed, running: outcome.running },
    human: () =>
      !outcome.changed
        ? `VM "${name}" is unchanged (the XML was not edited).`
        : `VM "${name}" is redefined with the edited XML` +
          (outcome.running ? '; it is running: the changes apply at its next start.' : '.'),
  };
}
