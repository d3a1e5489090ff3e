#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { commands } from './commands.js';
import type { CommandSpec } from './command.js';
import { printError, printResult } from './output.js';

const globalOptions = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function findCommand(argv: string[]): { spec: CommandSpec; rest: string[] } | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const two = words.slice(0, 2).join(' ');
  const byTwo = commands.find((c) => c.name === two);
  if (byTwo) return { spec: byTwo, rest: removeWords(argv, 2) };
  const byOne = commands.find((c) => c.name === words[0]);
  if (byOne) return { spec: byOne, rest: removeWords(argv, 1) };
  return undefined;
}

function removeWords(argv: string[], n: number): string[] {
  const out = [...argv];
  for (let removed = 0; removed < n; removed++) {
    const i = out.findIndex((a) => !a.startsWith('-'));
    out.splice(i, 1);
  }
  return out;
}

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return ['Usage: phyllo <command> [options] [--json]', '', 'Commands:', ...lines, ''].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const found = findCommand(argv);
  if (!found) {
    if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(usage());
      return 0;
    }
    return printError(
      {
        code: 'unknown-command',
        message: `Unknown command: ${argv.join(' ')}`,
        hint: 'Run `phyllo --help` to list the commands.',
      },
      json,
    );
  }
  const { spec, rest } = found;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...globalOptions, ...spec.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    return printError(
      { code: 'invalid-input', message: (err as Error).message, hint: `Run \`phyllo ${spec.name} --help\`.` },
      json,
    );
  }
  if (parsed.values.help) {
    const opts = Object.keys(spec.options ?? {}).map((o) => `--${o}`);
    process.stdout.write(
      `${spec.usage ?? `phyllo ${spec.name}`} [${[...opts, '--json'].join('] [')}]\n\n${spec.summary}\n`,
    );
    return 0;
  }
  try {
    const mod = await spec.load();
    const result = await mod.run({
      positionals: parsed.positionals,
      values: parsed.values,
      json,
      progress: process.stderr,
      isTTY: Boolean(process.stderr.isTTY),
    });
    printResult(result, json);
    return result.exitCode ?? 0;
  } catch (err) {
    return printError(err, json);
  }
}

// No top-level await: the bundle (scripts/bundle.mjs) is a CommonJS script, see start.ts.
// The process exits as soon as the output is flushed: left to itself, Node would also tear its heap
// down before exiting (~2 ms of a 42 ms command), and nothing is left to do once main has returned.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
});
