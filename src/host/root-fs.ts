import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { relative, isAbsolute, sep } from 'node:path';
import { HostRootError } from './errors.js';
import { describeError, known, unknown, type Fact } from './fact.js';

/** sysfs attributes are at most one page long. */
const ATTR_BUFFER = Buffer.alloc(4096);

/**
 * Reads files below a root directory (`/` on a live host, a fixture tree in tests). Paths are relative
 * to the root (`proc/cpuinfo`). Every read returns a Fact: a missing or unreadable file is an unknown
 * fact with the reason, never an exception.
 */
export class RootFs {
  readonly root: string;

  constructor(root = '/') {
    let real = root;
    try {
      real = realpathSync(root);
    } catch {
      // Keep the given root: every read below it will report the file as missing.
    }
    this.root = real;
  }

  /**
   * The root of a host, checked: it must be a directory holding `proc/` and `sys/`, or a
   * HostRootError names what is missing. Every probe entry point (`probeHost`, `probeDeviceMap`,
   * `kvmVerdict`) opens its root here, so a wrong `--root` is an error, never a made-up report.
   */
  static open(root = '/'): RootFs {
    const isDir = (p: string): boolean | undefined => {
      try {
        return statSync(p).isDirectory();
      } catch {
        return undefined;
      }
    };
    const top = isDir(root);
    if (top === undefined) throw new HostRootError(root, 'does not exist');
    if (!top) throw new HostRootError(root, 'is not a directory');
    const fs = new RootFs(root);
    const missing = ['proc', 'sys'].filter((d) => !isDir(fs.path(d)));
    if (missing.length)
      throw new HostRootError(
        root,
        `has no ${missing.map((d) => `${d}/`).join(' and no ')} directory: it is not a host's root file system`,
      );
    return fs;
  }

  /** The absolute path of a root-relative path. */
  path(rel: string): string {
    // Plain concatenation: probe paths are already normal (no `..`), and join() is a hot spot.
    return this.root === '/' ? `/${rel}` : `${this.root}/${rel}`;
  }

  text(rel: string): Fact<string> {
    try {
      return known(readFileSync(this.path(rel), 'utf8'));
    } catch (err) {
      return unknown(`${rel}: ${describeError(err)}`);
    }
  }

  /**
   * The first line of a small sysfs attribute, trimmed; unknown when missing or empty. Reads at most
   * one page into a shared buffer (open, read, close: no stat), since a report reads thousands of these.
   */
  attr(rel: string): Fact<string> {
    let fd: number | undefined;
    let n: number;
    try {
      fd = openSync(this.path(rel), 'r');
      n = readSync(fd, ATTR_BUFFER, 0, ATTR_BUFFER.length, null);
    } catch (err) {
      return unknown(`${rel}: ${describeError(err)}`);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    const text = ATTR_BUFFER.toString('utf8', 0, n);
    const line = text.split('\n', 1)[0]?.trim() ?? '';
    return line === '' ? unknown(`${rel}: empty`) : known(line);
  }

  /** An integer attribute (decimal, or hex with 0x). */
  int(rel: string): Fact<number> {
    const a = this.attr(rel);
    if (!a.known) return a;
    const n = a.value.startsWith('0x') ? parseInt(a.value, 16) : Number(a.value);
    return Number.isInteger(n) ? known(n) : unknown(`${rel}: not a number: ${a.value.slice(0, 40)}`);
  }

  bytes(rel: string): Fact<Buffer> {
    try {
      return known(readFileSync(this.path(rel)));
    } catch (err) {
      return unknown(`${rel}: ${describeError(err)}`);
    }
  }

  /** The first `length` bytes of a file (PCI config space is slow to read whole on real hardware). */
  head(rel: string, length: number): Fact<Buffer> {
    let fd: number | undefined;
    try {
      fd = openSync(this.path(rel), 'r');
      const buf = Buffer.alloc(length);
      const n = readSync(fd, buf, 0, length, 0);
      return known(buf.subarray(0, n));
    } catch (err) {
      return unknown(`${rel}: ${describeError(err)}`);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  list(rel: string): Fact<string[]> {
    try {
      return known(readdirSync(this.path(rel)).sort());
    } catch (err) {
      return unknown(`${rel}: ${describeError(err)}`);
    }
  }

  /** Entries of a directory, or an empty list when it is missing. */
  entries(rel: string): string[] {
    const l = this.list(rel);
    return l.known ? l.value : [];
  }

  exists(rel: string): boolean {
    return existsSync(this.path(rel));
  }

  /** The target of a symlink, as written (`../../../bus/pci/drivers/nvme`). */
  link(rel: string): Fact<string> {
    try {
      return known(readlinkSync(this.path(rel)));
    } catch (err) {
      return unknown(`${rel}: ${describeError(err)}`);
    }
  }

  /** The last path component a symlink points to (`nvme` for a `driver` link). */
  linkName(rel: string): Fact<string> {
    const l = this.link(rel);
    if (!l.known) return l;
    const name = l.value.split('/').filter(Boolean).pop();
    return name ? known(name) : unknown(`${rel}: empty link`);
  }

  /** Resolves symlinks and returns the result relative to the root (`sys/devices/pci0000:00/…`). */
  resolve(rel: string): Fact<string> {
    try {
      const real = realpathSync(this.path(rel));
      const r = relative(this.root, real);
      if (r.startsWith('..') || isAbsolute(r)) return unknown(`${rel}: resolves outside the root`);
      return known(r.split(sep).join('/'));
    } catch (err) {
      return unknown(`${rel}: ${describeError(err)}`);
    }
  }
}
