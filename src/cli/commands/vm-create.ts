import type { CommandContext, CommandResult } from '../command.js';
import { createVmWithOs, previewVm, startCreatedVm } from '../../machines/create-from-request.js';
import { InvalidInputError } from '../../errors.js';
import { startCreateLookups, type CreateVmLookups } from '../../machines/create-vm.js';
import { modelOptionsFrom } from './os-model-options.js';
import { withModelHost } from './model-host.js';
import { withConnection } from './vm-connection.js';

/**
 * `phyllo vm create NAME --os ID …`: builds the optimized model for this host and defines the VM
 * (creating its disk image, and the default NAT network when missing). `--print-xml` prints the
 * domain XML instead, defining nothing.
 */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const name = ctx.positionals[0];
  const os = ctx.values.os;
  if (!name) throw new InvalidInputError('The VM needs a name: `phyllo vm create NAME --os ID`');
  const iso = typeof ctx.values.iso === 'string' ? ctx.values.iso : undefined;
  if (typeof os !== 'string' && iso === undefined)
    throw new InvalidInputError('Which OS? Add --os ID (or --iso PATH to detect it from the medium)', {
      hint: 'Run `phyllo os list` for ids.',
    });
  const opts = modelOptionsFrom(ctx, name, typeof os === 'string' ? os : '');
  const warn = (warnings: string[]) => {
    if (!ctx.json) for (const w of warnings) ctx.progress.write(`warning: ${w}\n`);
  };
  if (ctx.values['print-xml'] === true && (ctx.values.start === true || ctx.values.console === true))
    throw new InvalidInputError('--print-xml defines nothing, so there is nothing to --start or --console', {
      hint: 'Leave out --print-xml to create and start the VM, or --start/--console to only print the XML.',
    });
  if (ctx.values['print-xml'] === true) {
    const result = await withModelHost(ctx, opts, (lv, host, options) => previewVm(lv, options, host));
    const detected = result.detected;
    warn(result.warnings);
    if (detected && !ctx.json)
      ctx.progress.write(`Detected ${detected.name} (${detected.os}): ${detected.reason}\n`);
    return { data: result, human: () => result.xml };
  }
  // The name check, the running networks and the storage pools are asked while the host facts are gathered.
  let lookups: CreateVmLookups | undefined;
  const vm = await withModelHost(
    ctx,
    opts,
    (lv, host, options) => createVmWithOs(lv, options, host, lookups ? { lookups } : {}),
    (lv) => {
      lookups = startCreateLookups(lv, name);
    },
  );
  const detected = vm.detected;
  const osId = detected?.os ?? (os as string);
  warn(vm.warnings);
  const attach = ctx.values.console === true;
  // A start that fails leaves the VM defined (it is what the user asked to create, and the
  // diagnosis says why it did not start): the error says it was created, and `--json` names it.
  let started: { state: string } | undefined;
  if (ctx.values.start === true || attach) {
    if (!ctx.json) ctx.progress.write(`Created VM "${vm.name}" (${vm.uuid}); starting it…\n`);
    // Loaded only here: starting pulls in the lock, diagnosis and image-chain code (child processes,
    // hashing) that a plain create never runs, and would otherwise pay for at start-up.
    started = await startCreatedVm(vm, () =>
      import('./vm-power.js').then(({ startCommand }) => startCommand(ctx, vm.name)),
    );
  }
  const console = attach
    ? await import('./vm-console.js').then(({ consoleSession }) =>
        withConnection(ctx, (lv) => consoleSession(ctx, lv, vm.name)),
      )
    : undefined;
  return {
    data: {
      ...vm,
      ...(started ? { state: started.state } : {}),
      ...(console ? { console: console.ended } : {}),
    },
    human: () =>
      [
        ...(console ? [] : [`Created VM "${vm.name}" (${vm.uuid}).`]),
        ...(started && !console ? [`Started it. Its console: phyllo vm console ${vm.name}`] : []),
        ...(vm.disk ? [`Disk: ${vm.disk}`] : []),
        ...(vm.network?.defined ? [`Defined the "${vm.network.name}" network.`] : []),
        ...(vm.network?.started ? [`Started the "${vm.network.name}" network.`] : []),
        ...(detected ? [`OS: ${detected.name} (${detected.os}), detected: ${detected.reason}`] : []),
        `Why each choice: phyllo os explain ${osId}`,
      ].join('\n'),
  };
}
