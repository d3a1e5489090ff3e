import type { CommandSpec } from './command.js';
import { commandHelp, groupHelp, renderHelp, topHelp, type HelpDocument } from './help.js';
import { printError, printResult, type Streams } from './output.js';
import { parseCommandLine, wantsJson } from './parse.js';
import { readVersion } from './version.js';

/**
 * Runs one command line against the command table and returns the exit code: help (text, or the
 * help document with --json), the command's result, or its error (a person's message and hint on
 * stderr, `{"error":{code,message,hint}}` on stdout with --json).
 */
export async function runCli(
  argv: readonly string[],
  table: readonly CommandSpec[],
  io: Streams & { isTTY: boolean },
): Promise<number> {
  let line;
  try {
    line = parseCommandLine(argv, table);
  } catch (err) {
    return printError(err, wantsJson(argv), io);
  }
  const help = (doc: HelpDocument) => {
    printResult({ data: doc, human: () => renderHelp(doc) }, line.json, io);
    return 0;
  };
  if (line.kind === 'top-help') return help(topHelp(table));
  if (line.kind === 'version') {
    const version = readVersion(import.meta.url);
    printResult({ data: { version }, human: () => `phyllo ${version}` }, line.json, io);
    return 0;
  }
  if (line.kind === 'group-help') return help(groupHelp(table, line.group));
  if (line.kind === 'help') return help(commandHelp(line.spec));
  try {
    const mod = await line.spec.load();
    const result = await mod.run({
      positionals: line.positionals,
      values: line.values,
      json: line.json,
      progress: io.stderr,
      isTTY: io.isTTY,
    });
    printResult(result, line.json, io);
    return result.exitCode ?? 0;
  } catch (err) {
    return printError(err, line.json, io);
  }
}
