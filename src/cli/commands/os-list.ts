import type { CommandContext, CommandResult } from '../command.js';
import { listOs, type OsList } from '../../catalog/os-views.js';

/** `phyllo os list [--all]`: the first-class profiles (and with --all every osinfo-db id). */
export async function run(ctx: CommandContext): Promise<CommandResult<OsList>> {
  const data = listOs({ all: ctx.values.all === true });
  return {
    data,
    human: () => {
      const w = Math.max(...data.profiles.map((p) => p.id.length));
      const lines = [
        'Profiles (tuned and tested):',
        ...data.profiles.map((p) => `  ${p.id.padEnd(w)}  ${p.name}`),
      ];
      if (data.osinfo) {
        const w2 = Math.max(...data.osinfo.map((o) => o.shortId.length));
        lines.push('', `osinfo-db (${data.osinfo.length} ids, each mapped to its family profile):`);
        lines.push(...data.osinfo.map((o) => `  ${o.shortId.padEnd(w2)}  ${o.name}`));
      } else
        lines.push(
          '',
          'Any osinfo-db short id works too (fedora37, ubuntu22.04, win10…): `phyllo os list --all`.',
        );
      return lines.join('\n');
    },
  };
}
