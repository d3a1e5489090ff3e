/**
 * The one check of every file path a request names (an ISO, a disk image, a driver ISO, a kernel, an
 * initramfs, a path in a domain XML): it must lie inside one of the directories the server allows
 * (`phyllo serve --allow-dir`), once symlinks and `..` are resolved, so a client cannot point a VM at
 * /etc/shadow or a host disk. A refusal names the allowed directories; whether a file outside them
 * exists is never told.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, resolve, sep } from 'node:path';
import { PhyllomeError } from '../errors.js';

export class PathNotAllowedError extends PhyllomeError {
  override name = 'PathNotAllowedError';
  constructor(field: string, path: string, why: string, dirs: readonly string[]) {
    super('path-not-allowed', `${field} ${JSON.stringify(path)} is not allowed: ${why}.`, {
      hint: dirs.length
        ? `Files must be inside ${dirs.join(' or ')} (phyllo serve --allow-dir DIR allows another directory).`
        : 'This server allows no directory; start it with phyllo serve --allow-dir DIR.',
    });
  }
}

/**
 * `path` with symlinks resolved as far as it exists; the part that does not exist yet is appended.
 * A dangling symlink on the way is resolved to its target (which does not exist, so it cannot be
 * realpath'd): it gives `undefined`, as its target could appear later anywhere.
 */
function realpathAsFarAsExists(path: string): string | undefined {
  const missing: string[] = [];
  let at = path;
  for (;;) {
    try {
      return join(realpathSync(at), ...missing.reverse());
    } catch (err) {
      const parent = dirname(at);
      const code = (err as NodeJS.ErrnoException).code;
      // ENOENT: not there (yet); ENOTDIR: a file where a directory was expected, which fails later.
      if (parent === at || (code !== 'ENOENT' && code !== 'ENOTDIR')) return resolve(path);
      if (code === 'ENOENT' && lstatSync(at, { throwIfNoEntry: false })?.isSymbolicLink()) return undefined;
      missing.push(basename(at));
      at = parent;
    }
  }
}

const inside = (path: string, dir: string): boolean =>
  path.startsWith(dir.endsWith(sep) ? dir : dir + sep) && path !== dir;

/** The allowed directories as they really are (symlinks resolved), for comparing with a resolved path. */
function realDirs(dirs: readonly string[]): string[] {
  return dirs.map((d) => realpathAsFarAsExists(resolve(d)) ?? resolve(d));
}

/**
 * A path on this machine: absolute, and inside one of `dirs` once resolved (symlinks followed as far
 * as the path exists, `..` applied). Returns the resolved path, which is what the caller passes on
 * (so a symlink changed later does not redirect it). A file that does not exist inside an allowed
 * directory passes: the service then says it is missing.
 */
export function allowedLocalPath(path: string, dirs: readonly string[], field: string): string {
  if (path.includes('\0')) throw new PathNotAllowedError(field, path, 'it contains a NUL byte', dirs);
  if (!isAbsolute(path))
    throw new PathNotAllowedError(field, path, 'it is relative; give an absolute path', dirs);
  const real = realpathAsFarAsExists(resolve(path));
  if (real === undefined)
    throw new PathNotAllowedError(
      field,
      path,
      'it goes through a symlink to a file that does not exist',
      dirs,
    );
  if (!realDirs(dirs).some((d) => inside(real, d)))
    throw new PathNotAllowedError(
      field,
      path,
      real === resolve(path)
        ? 'it is outside the allowed directories'
        : `it resolves to ${real}, outside them`,
      dirs,
    );
  return real;
}

/**
 * A path on a remote host, where symlinks cannot be resolved from here: a storage volume given as
 * `POOL/VOLUME` passes as it is (the pool decides where it lies); an absolute path must be inside one
 * of `dirs` lexically and contain no `..`. The service then requires it to be a storage volume there.
 */
export function allowedRemotePath(path: string, dirs: readonly string[], field: string): string {
  if (path.includes('\0')) throw new PathNotAllowedError(field, path, 'it contains a NUL byte', dirs);
  if (/^[^/]+\/[^/]+$/.test(path) && !path.split('/').some((p) => p === '..' || p === '.')) return path;
  if (!posix.isAbsolute(path))
    throw new PathNotAllowedError(field, path, 'give an absolute path or POOL/VOLUME', dirs);
  if (path.split('/').includes('..')) throw new PathNotAllowedError(field, path, 'it contains ".."', dirs);
  const norm = posix.normalize(path);
  if (!dirs.some((d) => inside(norm, posix.normalize(d))))
    throw new PathNotAllowedError(field, path, 'it is outside the allowed directories', dirs);
  return norm;
}

/** A path a request names for a host: `allowedRemotePath` when the host is remote, else `allowedLocalPath`. */
export function allowedPath(path: string, dirs: readonly string[], field: string, remote: boolean): string {
  return (remote ? allowedRemotePath : allowedLocalPath)(path, dirs, field);
}

/** The model options that name files (`serialLog` is not offered over the API: QEMU would write it). */
const MODEL_PATH_FIELDS = ['iso', 'drivers', 'kernel', 'initrd', 'diskImage'] as const;

/**
 * The options with each file they name checked (`allowedLocalPath`, or `allowedRemotePath` for a
 * remote host) and replaced by its resolved path.
 */
export function allowedModelPaths<T extends Partial<Record<(typeof MODEL_PATH_FIELDS)[number], string>>>(
  options: T,
  dirs: readonly string[],
  remote: boolean,
): T {
  const out = { ...options };
  for (const k of MODEL_PATH_FIELDS) {
    const p = options[k];
    if (p !== undefined) out[k] = allowedPath(p, dirs, k, remote) as T[typeof k];
  }
  return out;
}
