import { parseArgs } from 'node:util';
import { argvWords } from './argv-words.js';
import type { CommandContext, CommandSpec, OptionSpec, PositionalSpec } from './command.js';
import { connectOption, globalOptions, versionOption } from './commands.js';
import { UsageError } from './usage-error.js';

/** What a command line asks for: run a command, or show help for one, a group or everything. */
export type ParsedLine =
  | {
      kind: 'run';
      spec: CommandSpec;
      values: CommandContext['values'];
      positionals: string[];
      json: boolean;
    }
  | { kind: 'help'; spec: CommandSpec; json: boolean }
  | { kind: 'group-help'; group: string; json: boolean }
  | { kind: 'top-help'; json: boolean }
  | { kind: 'version'; json: boolean };

/** `--json` anywhere before a `--`: known before anything else, so that even a parse error is JSON. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/** The visible commands (no `__complete`). */
export function visible(table: readonly CommandSpec[]): CommandSpec[] {
  return table.filter((c) => !c.hidden);
}

/** Command groups: the first word of every two-word command (`host`, `os`, `vm`). */
export function groups(table: readonly CommandSpec[]): string[] {
  return [...new Set(visible(table).flatMap((c) => (c.name.includes(' ') ? [c.name.split(' ')[0]!] : [])))];
}

export function groupCommands(table: readonly CommandSpec[], group: string): CommandSpec[] {
  return visible(table).filter((c) => c.name.startsWith(`${group} `));
}

const valueOptionSets = new WeakMap<readonly CommandSpec[], ReadonlySet<string>>();

/** valueOptionNames as a set, worked out once per table. */
export function valueOptionSet(table: readonly CommandSpec[]): ReadonlySet<string> {
  let set = valueOptionSets.get(table);
  if (!set) valueOptionSets.set(table, (set = new Set(valueOptionNames(table))));
  return set;
}

/** Every option that takes a value, in each spelling (`--connect`, `-c`), across the table. */
export function valueOptionNames(table: readonly CommandSpec[]): string[] {
  const names = new Set<string>();
  for (const opts of [globalOptions, ...table.map((c) => c.options ?? {})])
    for (const [name, o] of Object.entries(opts as Record<string, OptionSpec>))
      if (o.type === 'string') {
        names.add(`--${name}`);
        if (o.short) names.add(`-${o.short}`);
      }
  return [...names].sort();
}

export function optionsOf(spec: CommandSpec): Record<string, OptionSpec> {
  return { ...spec.options, ...globalOptions };
}

/** Finds the command a line names: its spec and the indexes of its words in argv. */
export function resolveCommand(
  argv: readonly string[],
  table: readonly CommandSpec[],
):
  | { kind: 'command'; spec: CommandSpec; wordIndexes: number[] }
  | { kind: 'group'; group: string; wordIndexes: number[] }
  | { kind: 'none' } {
  const words = argvWords(argv, valueOptionSet(table));
  const [first, second] = words;
  if (!first) return { kind: 'none' };
  const one = table.find((c) => c.name === first.word);
  if (one) return { kind: 'command', spec: one, wordIndexes: [first.index] };
  if (table.some((c) => c.name.startsWith(`${first.word} `))) {
    if (!second) return { kind: 'group', group: first.word, wordIndexes: [first.index] };
    const two = table.find((c) => c.name === `${first.word} ${second.word}`);
    if (two) return { kind: 'command', spec: two, wordIndexes: [first.index, second.index] };
    const subs = groupCommands(table, first.word).map((c) => c.name.split(' ')[1]);
    throw new UsageError(
      'unknown-command',
      `Unknown command: phyllo ${first.word} ${second.word}`,
      `${suggest(`${first.word} ${second.word}`, table)}\`phyllo ${first.word}\` has: ${subs.join(', ')}. Run \`phyllo ${first.word} --help\`.`,
    );
  }
  throw new UsageError(
    'unknown-command',
    `Unknown command: phyllo ${first.word}`,
    `${suggest(first.word, table)}Run \`phyllo --help\` to list the commands.`,
  );
}

/** "Did you mean `phyllo status`? " for a name one or two edits away from a command or group. */
function suggest(typed: string, table: readonly CommandSpec[]): string {
  const names = [...visible(table).map((c) => c.name), ...groups(table)];
  const near = names.find((n) => distance(n, typed) <= Math.min(2, Math.floor(n.length / 3)));
  return near ? `Did you mean \`phyllo ${near}\`? ` : '';
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * Parses a whole command line against the command table: global options may stand anywhere, before or
 * after the command words; options, their values and the command's positionals are checked against what
 * the command declares, so any mistake is a UsageError naming it (even with --help, a command that does
 * not exist is an error). `phyllo help vm create` is `phyllo vm create --help`.
 */
export function parseCommandLine(argv: readonly string[], table: readonly CommandSpec[]): ParsedLine {
  const json = wantsJson(argv);
  const first = argvWords(argv, valueOptionSet(table))[0];
  if (first?.word === 'help' && !table.some((c) => c.name === 'help'))
    return parseCommandLine([...argv.slice(0, first.index), ...argv.slice(first.index + 1), '--help'], table);
  const found = resolveCommand(argv, table);
  if (found.kind === 'none') {
    const { values } = checkOptions(argv, { ...globalOptions, ...connectOption, ...versionOption }, 'phyllo');
    return { kind: values.version === true && values.help !== true ? 'version' : 'top-help', json };
  }
  const rest = argv.filter((_, i) => !found.wordIndexes.includes(i));
  if (found.kind === 'group') {
    checkOptions(rest, { ...globalOptions, ...connectOption }, `phyllo ${found.group}`);
    return { kind: 'group-help', group: found.group, json };
  }
  const { spec } = found;
  const options = optionsOf(spec);
  const { values, positionals } = checkOptions(rest, options, `phyllo ${spec.name}`);
  if (values.help === true) return { kind: 'help', spec, json };
  checkPositionals(spec, positionals);
  return { kind: 'run', spec, values, positionals, json };
}

/**
 * Reads the options and positionals of a command line as `parseArgs` would in strict mode, refusing an
 * option the command does not have, a missing value (`--os` last, or followed by another option), a value
 * given to a flag (`--json=yes`) and a value outside an option's choices.
 */
function checkOptions(
  args: readonly string[],
  options: Record<string, OptionSpec>,
  command: string,
): Pick<Extract<ParsedLine, { kind: 'run' }>, 'values' | 'positionals'> {
  const plain = plainLine(args, options);
  if (plain) return plain;
  const values: CommandContext['values'] = {};
  const positionals: string[] = [];
  const { tokens } = parseArgs({
    args: [...args],
    options: Object.fromEntries(
      Object.entries(options).map(([name, o]) => [
        name,
        { type: o.type, ...(o.short ? { short: o.short } : {}) },
      ]),
    ),
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const help = `Run \`${command} --help\` for its options.`;
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    const o = Object.hasOwn(options, t.name) ? options[t.name] : undefined;
    if (!o) throw new UsageError('unknown-option', `\`${command}\` has no option ${t.rawName}`, help);
    if (o.type === 'boolean') {
      if (t.value !== undefined)
        throw new UsageError(
          'invalid-value',
          `${t.rawName} is a flag and takes no value (got ${JSON.stringify(t.value)})`,
          `Write ${t.rawName} alone. ${help}`,
        );
      set(values, t.name, true, o.multiple);
      continue;
    }
    const valueName = o.value ?? 'VALUE';
    if (t.value === undefined || (!t.inlineValue && t.value.startsWith('-')))
      throw new UsageError(
        'missing-value',
        t.value === undefined
          ? `${t.rawName} needs a value (${valueName})`
          : `${t.rawName} needs a value (${valueName}), but the next word is the option ${t.value}`,
        `e.g. ${t.rawName} ${o.choices?.[0] ?? valueName}${t.value === undefined ? '' : `; a value that starts with "-" is written ${t.rawName}=VALUE`}. ${help}`,
      );
    if (o.choices && !o.choices.includes(t.value))
      throw new UsageError(
        'invalid-value',
        `${t.rawName} must be one of ${o.choices.join(', ')}, not ${JSON.stringify(t.value)}`,
        `e.g. ${t.rawName} ${o.choices[0]}`,
      );
    set(values, t.name, t.value, o.multiple);
  }
  return { values, positionals };
}

/**
 * A line of plain words and flags only (`os list --json`, `--help`): read here without loading
 * `parseArgs` (Node compiles it on first use, ~0.4 ms of a 25 ms `phyllo --help`). Anything else —
 * an option with a value, an unknown option, `--` — is left to checkOptions (undefined).
 */
export function plainLine(
  args: readonly string[],
  options: Record<string, OptionSpec>,
): Pick<Extract<ParsedLine, { kind: 'run' }>, 'values' | 'positionals'> | undefined {
  const values: CommandContext['values'] = {};
  const positionals: string[] = [];
  for (const a of args) {
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    const name = a.startsWith('--')
      ? a.slice(2)
      : Object.keys(options).find((n) => a.length === 2 && options[n]!.short === a[1]);
    const o = name !== undefined && Object.hasOwn(options, name) ? options[name] : undefined;
    if (!o || o.type !== 'boolean' || o.multiple) return undefined;
    values[name!] = true;
  }
  return { values, positionals };
}

/** As parseArgs keeps them: the last value of an option, or every value of a `multiple` one. */
function set(
  values: CommandContext['values'],
  name: string,
  value: string | boolean,
  multiple?: boolean,
): void {
  if (!multiple) values[name] = value;
  else
    values[name] = [...((values[name] as (string | boolean)[] | undefined) ?? []), value] as
      string[] | boolean[];
}

/** The arity the command declares: every required positional given, no more than it takes. */
function checkPositionals(spec: CommandSpec, positionals: string[]): void {
  const declared = spec.positionals;
  const usage = `Usage: ${usageLine(spec)}. Run \`phyllo ${spec.name} --help\` for details.`;
  const missing = declared.filter((p, i) => p.required && positionals[i] === undefined);
  if (missing.length > 0)
    throw new UsageError(
      'missing-argument',
      `\`phyllo ${spec.name}\` needs ${missing.map((p) => `${p.name} (${p.description})`).join(' and ')}`,
      usage,
    );
  const variadic = declared.at(-1)?.variadic === true;
  if (!variadic && positionals.length > declared.length) {
    const extra = positionals.slice(declared.length);
    const takes =
      declared.length === 0
        ? 'takes no arguments'
        : `takes ${declared.length === 1 ? 'one argument' : `${declared.length} arguments`} (${declared.map((p) => p.name).join(' ')})`;
    throw new UsageError(
      'extra-argument',
      `\`phyllo ${spec.name}\` ${takes}, but was also given ${extra.map((e) => JSON.stringify(e)).join(', ')}`,
      `A value with spaces needs quotes ("my vm"); a value must follow its option (--os ID). ${usage}`,
    );
  }
  declared.forEach((p, i) => checkChoice(p, positionals[i], spec));
}

function checkChoice(p: PositionalSpec, value: string | undefined, spec: CommandSpec): void {
  if (value === undefined || !p.choices || p.choices.includes(value)) return;
  throw new UsageError(
    'invalid-value',
    `${p.name} must be one of ${p.choices.join(', ')}, not ${JSON.stringify(value)}`,
    `e.g. phyllo ${spec.name} ${p.choices[0]}`,
  );
}

/** `phyllo vm create NAME [options]`, from the declared positionals (or the spec's own `usage`). */
export function usageLine(spec: CommandSpec): string {
  if (spec.usage) return spec.usage;
  const args = spec.positionals.map((p) => {
    const name = p.variadic ? `${p.name}...` : p.name;
    return p.required ? name : `[${name}]`;
  });
  return ['phyllo', spec.name, ...args, '[options]'].join(' ');
}
