import type { CommandContext, CommandResult } from '../command.js';
import { OsinfoDb } from '../../catalog/osinfo.js';
import { PROFILES } from '../../catalog/profiles.js';

interface OsListData {
  profiles: { id: string; name: string; family: string; osinfo?: string }[];
  osinfo?: { shortId: string; name: string; family: string }[];
}

/** `phyllo os list [--all]`: the first-class profiles (and with --all every osinfo-db id). */
export async function run(ctx: CommandContext): Promise<CommandResult<OsListData>> {
  const data: OsListData = {
    profiles: PROFILES.map((p) => ({
      id: p.id,
      name: p.name,
      family: p.family,
      ...(p.osinfoShortId ? { osinfo: p.osinfoShortId } : {}),
    })),
  };
  if (ctx.values.all === true) data.osinfo = new OsinfoDb().list();
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
