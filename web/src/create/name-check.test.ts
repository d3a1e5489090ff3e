// The wizard's name check says what the server says: the same names, compared with the server's own
// validateName (src/model/options.ts), so the two cannot drift apart unnoticed.
import { describe, expect, it } from 'vitest';
import { validateName } from '../../../src/model/options.js';
import { NAME_HINT, nameProblem } from './form';

const serverSays = (name: string): { message?: string; hint?: string } => {
  try {
    validateName(name);
    return {};
  } catch (err) {
    return { message: (err as Error).message, hint: (err as { hint?: string }).hint };
  }
};

describe('nameProblem matches the server', () => {
  it.each([
    '',
    'web',
    'web server',
    '-web',
    '.web',
    'web.',
    'a'.repeat(63),
    'a'.repeat(64),
    'a<b',
    'tab\there',
    'é',
    'win11-work',
    'x+y_z.1',
  ])('%j', (name) => {
    const server = serverSays(name);
    expect(nameProblem(name)).toBe(server.message);
    if (server.hint && server.message?.startsWith('The VM name')) expect(NAME_HINT).toBe(server.hint);
  });
});
