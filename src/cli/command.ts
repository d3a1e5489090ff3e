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

/**
 * What a value can be completed from (`phyllo completion`): an existing VM's name (listed through
 * libvirt), an OS id, a file or a directory.
 */
export type CompleteFrom = 'vm' | 'os' | 'file' | 'dir';

/** One option: what `node:util` parseArgs needs (`type`, `short`, `multiple`) plus what help shows. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's name in help: `--memory SIZE`. Required for a string option. */
  value?: string;
  /** What happens without the option, as help shows it (`the OS's recommendation`); not applied. */
  default?: string;
  /** One line for help. */
  description: string;
  /** The only values allowed; the parser rejects any other and completion offers these. */
  choices?: readonly string[];
  complete?: CompleteFrom;
}

/** A positional argument, in order: `vm create NAME`. */
export interface PositionalSpec {
  /** Upper case, as usage shows it: `NAME`, `ID`. */
  name: string;
  required: boolean;
  description: string;
  /** Takes any number of values (only the last positional). */
  variadic?: boolean;
  choices?: readonly string[];
  complete?: CompleteFrom;
}

export interface CommandSpec {
  /** One or two words: `status`, `host check`. */
  name: string;
  summary: string;
  /** Replaces the usage line help builds from `positionals` (`phyllo vm create NAME [options]`). */
  usage?: string;
  options?: Record<string, OptionSpec>;
  /** Declared so the parser can refuse missing and extra arguments. */
  positionals: PositionalSpec[];
  /** Full command lines (starting with `phyllo`), at least one. */
  examples: string[];
  /** Left out of `phyllo --help` and completion (`__complete`). */
  hidden?: boolean;
  /** Loaded lazily so `--help` stays instant. */
  load: () => Promise<CommandModule>;
}
