import { argvWords } from './argv-words.js';
import type { CommandSpec } from './command.js';

/**
 * The command module a spec loads (`vm-power` for `vm start`), read from its `load` function as tsc
 * writes it: `() => import('./commands/vm-power.js')…`. scripts/bundle.mjs makes one bundle per module
 * from it; a spec that does not load exactly one module of src/cli/commands/ is an error there.
 */
export function commandModule(spec: CommandSpec): string {
  const found = [...spec.load.toString().matchAll(/import\(["']\.\/commands\/([a-z0-9-]+)\.js["']\)/g)];
  if (found.length !== 1)
    throw new Error(`${spec.name}: its load() must import exactly one ./commands/*.js module`);
  return found[0]![1]!;
}

/** The file name of a command module's bundle, beside phyllo.cjs (`phyllo-vm-power.cjs`). */
export function bundleFile(module: string): string {
  return `phyllo-${module}.cjs`;
}

/** Each command's bundle file by its name (`vm start` → `phyllo-vm-power.cjs`), as start.ts is given it. */
export function commandBundleFiles(specs: readonly CommandSpec[]): Record<string, string> {
  return Object.fromEntries(specs.map((spec) => [spec.name, bundleFile(commandModule(spec))]));
}

/**
 * The bundle made for the command an argument list names (see `resolveCommand` in parse.ts, which this
 * mirrors: a one-word command first, then a two-word one), or undefined for help, a group, a typo or
 * nothing: the whole CLI's bundle runs those. `bundles` maps a command's name to its bundle's file name.
 */
export function commandBundle(
  argv: readonly string[],
  valueOptions: ReadonlySet<string>,
  bundles: Readonly<Record<string, string>>,
): string | undefined {
  const [first, second] = argvWords(argv, valueOptions);
  if (!first) return undefined;
  const name = Object.hasOwn(bundles, first.word) ? first.word : second && `${first.word} ${second.word}`;
  return name && Object.hasOwn(bundles, name) ? bundles[name] : undefined;
}
