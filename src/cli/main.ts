#!/usr/bin/env node
import { runCli } from './cli.js';
import { commands } from './commands.js';
import { processStreams } from './output.js';

// No top-level await: the bundle (scripts/bundle.mjs) is a CommonJS script, see start.ts.
// The process exits as soon as the output is flushed: left to itself, Node would also tear its heap
// down before exiting (~2 ms of a 42 ms command), and nothing is left to do once main has returned.
void runCli(process.argv.slice(2), commands, processStreams).then((code) => {
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
});
