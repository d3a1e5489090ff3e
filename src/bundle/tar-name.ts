/**
 * Entry names of a bundle: relative paths of plain ASCII words. Anything else (absolute paths, `..`,
 * odd characters that mean something to a shell or a file system) is refused, whether the name
 * came from the ustar header, a pax `path` or `GNU.sparse.name`.
 */

/** Longest name accepted, in bytes (all names are ASCII). */
export const NAME_MAX = 1024;

const ALLOWED = /^[A-Za-z0-9._/-]+$/;

/** Why `name` is not a valid entry name, or undefined when it is. */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'the name is empty';
  if (name.length > NAME_MAX) return `the name is longer than ${NAME_MAX} bytes`;
  if (name.includes('\0')) return 'the name contains a NUL byte';
  if (name.includes('\\')) return 'the name contains a backslash';
  if (name.startsWith('/')) return 'the name is an absolute path';
  if (!ALLOWED.test(name)) return 'the name has a character outside A-Z a-z 0-9 . _ / -';
  for (const part of name.split('/')) {
    if (part === '') return 'the name has an empty path segment';
    if (part === '.') return 'the name has a "." segment';
    if (part === '..') return 'the name has a ".." segment';
  }
  return undefined;
}

/**
 * `name` as the ustar header's prefix (155 bytes) and name (100 bytes) fields, split at a slash, or
 * undefined when it does not fit and needs a pax `path` record.
 */
export function ustarSplit(name: string): { prefix: string; name: string } | undefined {
  if (name.length <= 100) return { prefix: '', name };
  // The split slash belongs to neither field; pick the first one that leaves both short enough.
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    if (i > 155) break;
    if (name.length - i - 1 <= 100 && i > 0) return { prefix: name.slice(0, i), name: name.slice(i + 1) };
  }
  return undefined;
}

/**
 * The name a header carries when a pax record holds the real one: `<dir>/<middle>/<base>` (what GNU
 * tar writes, `PaxHeaders` or `GNUSparseFile.0`), cut to fit when the real name is long. Readers
 * that know pax never show it.
 */
export function placeholderName(name: string, middle: string): string {
  const slash = name.lastIndexOf('/');
  const dir = slash === -1 ? '' : name.slice(0, slash + 1);
  const base = name.slice(slash + 1);
  const full = `${dir}${middle}/${base}`;
  if (ustarSplit(full)) return full;
  return `${middle}/${base}`.slice(0, 100);
}
