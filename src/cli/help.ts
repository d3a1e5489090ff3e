import type { CommandSpec, OptionSpec } from './command.js';
import { connectOption, globalOptions, versionOption } from './commands.js';
import { groupCommands, optionsOf, usageLine, visible } from './parse.js';

/** What `--help` shows, as data: printed as text, or as it is with --json. */
export interface HelpDocument {
  usage: string;
  summary?: string;
  commands?: { name: string; summary: string }[];
  arguments?: { name: string; required: boolean; description: string; choices?: readonly string[] }[];
  options?: {
    name: string;
    short?: string;
    value?: string;
    default?: string;
    description: string;
    choices?: readonly string[];
  }[];
  examples: string[];
  /** The line that ends the text: where to look next. */
  more?: string;
}

function optionRows(options: Record<string, OptionSpec>): NonNullable<HelpDocument['options']> {
  return Object.entries(options).map(([name, o]) => ({
    name: `--${name}`,
    ...(o.short ? { short: `-${o.short}` } : {}),
    ...(o.type === 'string' ? { value: o.choices ? o.choices.join('|') : (o.value ?? 'VALUE') } : {}),
    ...(o.default ? { default: o.default } : {}),
    description: o.description,
    ...(o.choices ? { choices: o.choices } : {}),
  }));
}

export function topHelp(table: readonly CommandSpec[]): HelpDocument {
  return {
    usage: 'phyllo [--json] COMMAND [ARGUMENTS] [options]',
    summary: 'Phyllome: virtual machines on libvirt + QEMU, each with the best model for its OS and host.',
    commands: visible(table).map((c) => ({ name: c.name, summary: c.summary })),
    options: optionRows({ ...globalOptions, ...connectOption, ...versionOption }),
    examples: [
      'phyllo status',
      'phyllo --connect qemu:///session --json status',
      'phyllo vm create --help',
      'phyllo completion bash > /etc/bash_completion.d/phyllo',
    ],
    more: 'Options go before or after the command (--connect with the commands that talk to libvirt). `phyllo COMMAND --help` (or `phyllo help COMMAND`) shows a command’s arguments, options and examples.',
  };
}

export function groupHelp(table: readonly CommandSpec[], group: string): HelpDocument {
  const cmds = groupCommands(table, group);
  return {
    usage: `phyllo ${group} COMMAND [ARGUMENTS] [options]`,
    commands: cmds.map((c) => ({ name: c.name, summary: c.summary })),
    examples: cmds.map((c) => c.examples[0]!).filter(Boolean),
    more: `Run \`phyllo ${group} COMMAND --help\` for a command’s options, e.g. \`phyllo ${cmds[0]?.name ?? group} --help\`.`,
  };
}

export function commandHelp(spec: CommandSpec): HelpDocument {
  return {
    usage: usageLine(spec),
    summary: spec.summary,
    arguments: spec.positionals.map((p) => ({
      name: p.variadic ? `${p.name}...` : p.name,
      required: p.required,
      description: p.description,
      ...(p.choices ? { choices: p.choices } : {}),
    })),
    options: optionRows(optionsOf(spec)),
    examples: spec.examples,
  };
}

function table(rows: [string, string][]): string[] {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`.trimEnd());
}

/** The text of a help document: usage, summary, commands or arguments and options, examples. */
export function renderHelp(doc: HelpDocument): string {
  const out = [`Usage: ${doc.usage}`];
  if (doc.summary) out.push('', doc.summary);
  if (doc.commands?.length) out.push('', 'Commands:', ...table(doc.commands.map((c) => [c.name, c.summary])));
  if (doc.arguments?.length)
    out.push(
      '',
      'Arguments:',
      ...table(
        doc.arguments.map((a) => [
          a.name,
          `${a.description}${a.choices ? `: ${a.choices.join(', ')}` : ''}${a.required ? '' : ' (optional)'}`,
        ]),
      ),
    );
  if (doc.options?.length)
    out.push(
      '',
      'Options:',
      ...table(
        doc.options.map((o) => [
          `${o.short ? `${o.short}, ` : '    '}${o.name}${o.value ? ` ${o.value}` : ''}`,
          `${o.description}${o.default ? ` (default: ${o.default})` : ''}`,
        ]),
      ),
    );
  if (doc.examples.length) out.push('', 'Examples:', ...doc.examples.map((e) => `  ${e}`));
  if (doc.more) out.push('', doc.more);
  return out.join('\n') + '\n';
}
