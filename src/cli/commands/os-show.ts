import type { CommandContext, CommandResult } from '../command.js';
import { showOs } from '../../catalog/os-views.js';
import { InvalidInputError } from '../../errors.js';

/** `phyllo os show ID`: the profile an id maps to, with osinfo-db's facts. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const id = ctx.positionals[0];
  if (!id)
    throw new InvalidInputError('Which OS? `phyllo os show ID`', { hint: 'Run `phyllo os list` for ids.' });
  const { data, guest: g } = showOs(id);
  const p = g.profile;
  return {
    data,
    human: () => {
      const r = (x: typeof g.minimum): string => `${x.memoryMiB} MiB, ${x.vcpus} vCPU, ${x.diskGiB} GiB disk`;
      const virtio = Object.entries(g.virtio)
        .filter(([, ok]) => ok)
        .map(([k]) => k);
      return [
        `${g.name} (${id})`,
        `  profile      ${p.id}: ${g.profileReason}`,
        ...(g.libosinfoId ? [`  libosinfo    ${g.libosinfoId}`] : []),
        `  machine      ${p.machine}, ${p.firmware}${p.secureBoot !== 'none' ? `, Secure Boot ${p.secureBoot}` : ''}, TPM ${p.tpm}`,
        `  virtio       ${virtio.length ? virtio.join(', ') : 'none without drivers'} (${g.virtioReason})`,
        `  minimum      ${r(g.minimum)}`,
        `  recommended  ${r(g.recommended)} (${g.resourcesReason})`,
        ...p.notes.map((n) => `  note         ${n}`),
      ].join('\n');
    },
  };
}
