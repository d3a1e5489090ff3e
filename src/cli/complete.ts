import { argvWords } from './argv-words.js';
import type { CommandSpec, CompleteFrom, OptionSpec } from './command.js';
import { connectOption, globalOptions, versionOption } from './commands.js';
import { groupCommands, groups, optionsOf, resolveCommand, valueOptionSet, visible } from './parse.js';

export interface Candidate {
  value: string;
  description?: string;
}

/** What the shell should offer: these words, or file or directory names. */
export type Completion = { kind: 'words'; candidates: Candidate[] } | { kind: 'files' } | { kind: 'dirs' };

export interface CompleteDeps {
  /** The names of the domains on this connection (`--connect` of the line, if any); [] on any error. */
  vmNames(connect: string | undefined): Promise<string[]>;
  osIds(): Candidate[];
}

const nothing: Completion = { kind: 'words', candidates: [] };

/**
 * The completions for a command line: `words` are the words after `phyllo`, the last one the word being
 * completed (empty right after a space). Commands, subcommands, options, an option's choices, OS ids and
 * existing VMs' names, all from the command table. Never throws for a line the parser would refuse:
 * it offers nothing.
 */
export async function complete(
  words: readonly string[],
  table: readonly CommandSpec[],
  deps: CompleteDeps,
): Promise<Completion> {
  let before = words.slice(0, -1);
  const cur = words.at(-1) ?? '';
  if (before[0] === 'help') before = before.slice(1);
  // bash splits `--display=v` into `--display`, `=`, `v`.
  if (before.at(-1) === '=') before = before.slice(0, -1);
  let found;
  try {
    found = resolveCommand(before, table);
  } catch {
    return nothing;
  }
  const options: Record<string, OptionSpec> =
    found.kind === 'command'
      ? optionsOf(found.spec)
      : found.kind === 'none'
        ? { ...globalOptions, ...connectOption, ...versionOption }
        : { ...globalOptions, ...connectOption };
  const connect = connectOf(before);
  const prev = before.at(-1);
  const prevOption = prev?.startsWith('--')
    ? options[prev.slice(2)]
    : prev?.startsWith('-')
      ? Object.values(options).find((o) => prev === `-${o.short}`)
      : undefined;
  if (prevOption?.type === 'string' && !prev?.includes('='))
    return filter(await from(prevOption, connect, deps), cur);
  if (cur.startsWith('-')) {
    const given = new Set(before);
    return filter(
      {
        kind: 'words',
        candidates: Object.entries(options)
          .filter(([name, o]) => o.multiple || !given.has(`--${name}`))
          .map(([name, o]) => ({ value: `--${name}`, description: o.description })),
      },
      cur,
    );
  }
  if (found.kind === 'none') {
    const top = [
      ...visible(table)
        .filter((c) => !c.name.includes(' '))
        .map((c) => ({ value: c.name, description: c.summary })),
      ...groups(table).map((g) => ({
        value: g,
        description: `${groupCommands(table, g)
          .map((c) => c.name.split(' ')[1])
          .join(', ')}`,
      })),
    ];
    return filter({ kind: 'words', candidates: top }, cur);
  }
  if (found.kind === 'group')
    return filter(
      {
        kind: 'words',
        candidates: groupCommands(table, found.group).map((c) => ({
          value: c.name.split(' ')[1]!,
          description: c.summary,
        })),
      },
      cur,
    );
  const { spec } = found;
  const argsSoFar = argvWords(before, valueOptionSet(table)).length - found.wordIndexes.length;
  const last = spec.positionals.at(-1);
  const positional = spec.positionals[argsSoFar] ?? (last?.variadic ? last : undefined);
  return positional ? filter(await from(positional, connect, deps), cur) : nothing;
}

async function from(
  p: { choices?: readonly string[]; complete?: CompleteFrom },
  connect: string | undefined,
  deps: CompleteDeps,
): Promise<Completion> {
  if (p.choices) return { kind: 'words', candidates: p.choices.map((value) => ({ value })) };
  switch (p.complete) {
    case 'file':
      return { kind: 'files' };
    case 'dir':
      return { kind: 'dirs' };
    case 'os':
      return { kind: 'words', candidates: deps.osIds() };
    case 'vm':
      return { kind: 'words', candidates: (await deps.vmNames(connect)).map((value) => ({ value })) };
    default:
      return nothing;
  }
}

function filter(c: Completion, prefix: string): Completion {
  return c.kind === 'words'
    ? { kind: 'words', candidates: c.candidates.filter((x) => x.value.startsWith(prefix)) }
    : c;
}

/** The `--connect` of the line being completed: `--connect URI`, `--connect=URI`, `-c URI`. */
export function connectOf(words: readonly string[]): string | undefined {
  let uri: string | undefined;
  words.forEach((w, i) => {
    if (w.startsWith('--connect=')) uri = w.slice('--connect='.length);
    else if ((w === '--connect' || w === '-c') && words[i + 1] !== undefined) uri = words[i + 1];
  });
  return uri;
}

/** The lines `phyllo __complete words` prints: the kind, then `value<TAB>description` per candidate. */
export function completionLines(c: Completion): string {
  if (c.kind !== 'words') return c.kind;
  return [
    'words',
    ...c.candidates.map((x) => (x.description ? `${x.value}\t${x.description}` : x.value)),
  ].join('\n');
}
