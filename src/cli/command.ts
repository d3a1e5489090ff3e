import type { ParseArgsConfig } from 'node:util';

/** What every command receives: parsed flags, positionals and the global options. */
export interface CommandContext {
  positionals: string[];
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  json: boolean;
  /** Where progress and spinners go (stderr); never stdout, which is reserved for the result. */
  progress: NodeJS.WritableStream;
  isTTY: boolean;
}

/** A command returns data (printed as-is with --json) and how to show it to a person. */
export interface CommandResult<T = unknown> {
  data: T;
  human: () => string;
  /** Non-zero when the result itself is a failure (e.g. a failed readiness check). */
  exitCode?: number;
}

export interface CommandModule {
  run(ctx: CommandContext): Promise<CommandResult>;
}

export interface CommandSpec {
  /** One or two words: `status`, `host check`. */
  name: string;
  summary: string;
  usage?: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  /** Loaded lazily so `--help` stays instant. */
  load: () => Promise<CommandModule>;
}
