import type { CommandSpec } from './command.js';

export const connectOption = { connect: { type: 'string', short: 'c' } } as const;
export const rootOption = { root: { type: 'string' } } as const;

/** Every command Phyllome's CLI knows, in the order `phyllo --help` lists them. */
export const commands: CommandSpec[] = [];
