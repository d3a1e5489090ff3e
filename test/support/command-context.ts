import { PassThrough } from 'node:stream';
import type { CommandContext } from '../../src/cli/command.js';

/** What a command module's `run` gets from the CLI, for `--json` calls from a test (progress dropped). */
export function jsonContext(positionals: string[], values: CommandContext['values'] = {}): CommandContext {
  return {
    positionals,
    values: { json: true, ...values },
    json: true,
    progress: new PassThrough(),
    isTTY: false,
  };
}
