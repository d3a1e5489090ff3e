import type { CommandContext, CommandResult } from '../command.js';
import { buildModel } from '../../model/build-model.js';
import { createVm, startCreateLookups, type CreateVmLookups } from '../../machines/create-vm.js';
import { InvalidInputError, PhyllomeError } from '../../errors.js';
import { modelOptionsFrom } from './os-model-options.js';
import { withModelHost } from './model-host.js';
import { withConnection } from './vm-connection.js';
import { OsinfoDb } from '../../catalog/osinfo.js';
import { identifyOs, readMediumIdentity, type DetectedOs } from '../../machines/detect-os.js';
import { remoteHostOf } from '../../machines/model-host-facts.js';
import type { Libvirt } from '../../libvirt/index.js';
import type { ModelOptions } from '../../model/options.js';
import type { ExplainedDecision } from '../../model/build-model.js';

/** `--iso` without `--os`: the OS the medium installs (the ISO path is checked by then). */
async function detect(lv: Libvirt, options: ModelOptions): Promise<DetectedOs> {
  const iso = options.iso as string;
  const remote = remoteHostOf(lv.requestedUri) !== undefined;
  return identifyOs(new OsinfoDb(), iso, await readMediumIdentity(iso, remote ? lv : undefined));
}

/** The detection as the first decision, so `--json` and the human output both carry it. */
function detectionDecision(d: DetectedOs): ExplainedDecision {
  return { topic: 'os', choice: `${d.os} (${d.name}), detected from the installer medium`, reason: d.reason };
}

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
  let detected: DetectedOs | undefined;
  /** The options with the OS filled in from the medium when --os was not given. */
  const withOs = async (lv: Libvirt, options: ModelOptions): Promise<ModelOptions> => {
    if (typeof os === 'string') return options;
    detected = await detect(lv, options);
    return { ...options, os: detected.os };
  };
  const withDetection = <T extends { decisions: ExplainedDecision[] }>(r: T): T =>
    detected ? { ...r, detected, decisions: [detectionDecision(detected), ...r.decisions] } : r;
  const warn = (warnings: string[]) => {
    if (!ctx.json) for (const w of warnings) ctx.progress.write(`warning: ${w}\n`);
  };
  if (ctx.values['print-xml'] === true && (ctx.values.start === true || ctx.values.console === true))
    throw new InvalidInputError('--print-xml defines nothing, so there is nothing to --start or --console', {
      hint: 'Leave out --print-xml to create and start the VM, or --start/--console to only print the XML.',
    });
  if (ctx.values['print-xml'] === true) {
    const result = withDetection(
      await withModelHost(ctx, opts, async (lv, host, options) =>
        buildModel(await withOs(lv, options), host),
      ),
    );
    warn(result.warnings);
    if (detected && !ctx.json)
      ctx.progress.write(`Detected ${detected.name} (${detected.os}): ${detected.reason}\n`);
    return {
      data: {
        name,
        xml: result.xml,
        decisions: result.decisions,
        warnings: result.warnings,
        ...(detected ? { detected } : {}),
      },
      human: () => result.xml,
    };
  }
  // The name check, the running networks and the storage pools are asked while the host facts are gathered.
  let lookups: CreateVmLookups | undefined;
  const vm = withDetection(
    await withModelHost(
      ctx,
      opts,
      async (lv, host, options) => createVm(lv, await withOs(lv, options), host, lookups ? { lookups } : {}),
      (lv) => {
        lookups = startCreateLookups(lv, name);
      },
    ),
  );
  const osId = detected?.os ?? (os as string);
  warn(vm.warnings);
  const attach = ctx.values.console === true;
  // A start that fails leaves the VM defined (it is what the user asked to create): say so, keep it.
  let started: { state: string } | undefined;
  if (ctx.values.start === true || attach) {
    if (!ctx.json) ctx.progress.write(`Created VM "${vm.name}" (${vm.uuid}); starting it…\n`);
    try {
      // Loaded only here: starting pulls in the lock, diagnosis and image-chain code (child processes,
      // hashing) that a plain create never runs, and would otherwise pay for at start-up.
      const { startCommand } = await import('./vm-power.js');
      started = await startCommand(ctx, vm.name);
    } catch (err) {
      if (err instanceof PhyllomeError)
        Object.assign(err, {
          hint: `VM "${vm.name}" was created and stays defined. ${err.hint ?? ''}`.trim(),
        });
      throw err;
    }
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
