/**
 * Reads an OVA (a ustar archive) with the bundle tar reader (`tar-reader.ts`: regular files only, no
 * links or devices, no name twice) and the OVA's own name rule (`ova-names.ts`). The OVF descriptor
 * comes first (the OVF spec's order); `descriptor` is called with it before any other entry is read,
 * so a bad OVF or an unknown OS fails before a byte of disk is written. The disk entry is written to
 * the path `descriptor` names (created here, removed by the undo list); every other entry is hashed
 * and passed over. Each entry is hashed as it streams and checked against the manifest at the end:
 * the caller defines nothing before `readOva` returned.
 */
import { open, rm } from 'node:fs/promises';
import type { UndoList } from '../../jobs/undo-list.js';
import { BundleFormatError } from '../errors.js';
import { readTar, type TarEntry } from '../tar-reader.js';
import { OvaInvalidError } from './errors.js';
import {
  DIGEST_ALGORITHMS,
  EntryDigest,
  MAX_MF_BYTES,
  checkManifest,
  parseOvaManifest,
  type DigestAlgorithm,
  type ManifestLine,
} from './ova-manifest.js';
import { ovaNameProblem } from './ova-names.js';
import { MAX_OVF_BYTES } from './ovf-parse.js';

/** What `descriptor` answers: the files the OVF references, which of them is the disk, and where it goes. */
export interface OvaLayout {
  /** Every file the OVF references (by href) with its declared size, when given. */
  references: { href: string; size?: number }[];
  diskHref: string;
  /** A new file for the disk's bytes (its directory exists; the file must not). */
  diskPath: string;
}

export interface ReadOvaOptions {
  descriptor: (ovf: string, name: string) => Promise<OvaLayout> | OvaLayout;
  undo: UndoList;
  signal?: AbortSignal;
  /** Bytes of the disk entry written so far. */
  onDiskData?: (done: number, total: number) => void;
}

export interface OvaContents {
  ovfName: string;
  /** Whether a manifest was there (and so every file checked). */
  manifest: boolean;
  /** The certificate's name, when the OVA is signed (the signature is not checked). */
  certificate?: string;
}

const LIMITS = {
  maxEntries: 64,
  maxEntrySize: Number.MAX_SAFE_INTEGER,
  maxTotal: Number.MAX_SAFE_INTEGER,
  nameProblem: ovaNameProblem,
};

async function small(entry: TarEntry, max: number, what: string, digest: EntryDigest): Promise<Buffer> {
  if (entry.size > max)
    throw new OvaInvalidError(`Its ${what} ${entry.name} is ${entry.size} bytes, more than the ${max} taken`);
  const parts: Buffer[] = [];
  for await (const c of entry.body) {
    digest.update(c);
    parts.push(Buffer.from(c));
  }
  return Buffer.concat(parts);
}

/** Reads the OVA from `source`; resolves once every entry was read and matched the manifest. */
export async function readOva(source: AsyncIterable<Uint8Array>, opts: ReadOvaOptions): Promise<OvaContents> {
  let layout: OvaLayout | undefined;
  let ovfName: string | undefined;
  let manifest: Map<string, ManifestLine> | undefined;
  let certificate: string | undefined;
  let diskSeen = false;
  const digests = new Map<string, Partial<Record<DigestAlgorithm, string>>>();
  const algorithmsFor = (name: string): readonly DigestAlgorithm[] => {
    if (!manifest) return DIGEST_ALGORITHMS;
    const line = manifest.get(name);
    // Refused before its bytes are read (a disk would be written for nothing).
    if (!line) throw new OvaInvalidError(`Its file ${name} is not listed in its manifest`);
    return [line.algorithm];
  };
  try {
    for await (const entry of readTar(source, LIMITS)) {
      opts.signal?.throwIfAborted();
      const lower = entry.name.toLowerCase();
      if (!ovfName) {
        if (!lower.endsWith('.ovf'))
          throw new OvaInvalidError(
            `Its first file is ${entry.name}, not the OVF descriptor (NAME.ovf) an OVA starts with`,
          );
        ovfName = entry.name;
        const digest = new EntryDigest(DIGEST_ALGORITHMS);
        const text = (await small(entry, MAX_OVF_BYTES, 'OVF descriptor', digest)).toString('utf8');
        digests.set(entry.name, digest.digests());
        layout = await opts.descriptor(text, entry.name);
        continue;
      }
      const refs = layout!.references;
      if (lower.endsWith('.mf') && !refs.some((r) => r.href === entry.name)) {
        if (manifest) throw new OvaInvalidError(`It holds a second manifest, ${entry.name}`);
        const text = (await small(entry, MAX_MF_BYTES, 'manifest', new EntryDigest([]))).toString('utf8');
        manifest = parseOvaManifest(text);
        continue;
      }
      if ((lower.endsWith('.cert') || lower.endsWith('.crt')) && !refs.some((r) => r.href === entry.name)) {
        certificate = entry.name;
        await small(entry, MAX_MF_BYTES, 'certificate', new EntryDigest([]));
        continue;
      }
      const ref = refs.find((r) => r.href === entry.name);
      if (!ref) throw new OvaInvalidError(`It holds ${entry.name}, a file its OVF does not reference`);
      if (ref.size !== undefined && ref.size !== entry.size)
        throw new OvaInvalidError(`Its file ${entry.name} is ${entry.size} bytes; its OVF says ${ref.size}`);
      const digest = new EntryDigest(algorithmsFor(entry.name));
      if (entry.name === layout!.diskHref) {
        diskSeen = true;
        await writeDisk(entry, layout!.diskPath, digest, opts);
      } else for await (const c of entry.body) digest.update(c);
      digests.set(entry.name, digest.digests());
    }
  } catch (err) {
    if (err instanceof BundleFormatError)
      throw new OvaInvalidError(`Not a safe OVA: ${err.message.replace(/^Bundle refused at /, '')}`, {
        cause: err,
      });
    throw err;
  }
  if (!ovfName || !layout) throw new OvaInvalidError('It is an empty archive, without an OVF descriptor');
  for (const r of layout.references)
    if (!digests.has(r.href))
      throw new OvaInvalidError(`Its OVF references ${r.href}, which the OVA does not hold`);
  if (!diskSeen) throw new OvaInvalidError(`It does not hold its disk ${layout.diskHref}`);
  if (manifest) checkManifest(manifest, digests);
  return { ovfName, manifest: manifest !== undefined, ...(certificate ? { certificate } : {}) };
}

async function writeDisk(
  entry: TarEntry,
  path: string,
  digest: EntryDigest,
  opts: ReadOvaOptions,
): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  opts.undo.push(`wrote ${path}`, async () => {
    await fh.close().catch(() => undefined);
    await rm(path, { force: true });
  });
  let done = 0;
  for await (const c of entry.body) {
    opts.signal?.throwIfAborted();
    digest.update(c);
    await fh.write(c);
    done += c.length;
    opts.onDiskData?.(done, entry.size);
  }
  await fh.close();
}
