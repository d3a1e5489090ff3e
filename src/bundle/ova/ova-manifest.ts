/**
 * An OVA's manifest (`NAME.mf`): one line per file, `SHA256(name.vmdk)= hex` (SHA1 from older
 * VirtualBox and ovftool, SHA512 allowed). Every file of the OVA but the manifest and its certificate
 * must be listed, and every listed file must be there; `EntryDigest` hashes an entry as it streams.
 */
import { createHash, type Hash } from 'node:crypto';
import { OvaInvalidError } from './errors.js';

export type DigestAlgorithm = 'sha1' | 'sha256' | 'sha512';
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['sha1', 'sha256', 'sha512'];
const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha1: 40, sha256: 64, sha512: 128 };

export interface ManifestLine {
  algorithm: DigestAlgorithm;
  hex: string;
}

/** The largest manifest read (a line per file: a few hundred bytes). */
export const MAX_MF_BYTES = 1 << 20;

/** The manifest's lines by file name; throws OvaInvalidError for a line that is not one. */
export function parseOvaManifest(text: string): Map<string, ManifestLine> {
  const out = new Map<string, ManifestLine>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const m = /^(SHA1|SHA256|SHA512|MD5)\((.+)\)\s*=\s*([0-9A-Fa-f]+)$/.exec(line);
    if (!m) throw new OvaInvalidError(`Its manifest's line ${i + 1} is not "SHA256(file)= digest"`);
    const [, algo, name, hex] = m as unknown as [string, string, string, string];
    if (algo === 'MD5')
      throw new OvaInvalidError(
        `Its manifest gives ${name} an MD5 digest, which proves nothing; SHA1 or SHA256 are taken`,
      );
    const algorithm = algo.toLowerCase() as DigestAlgorithm;
    if (hex.length !== HEX_LENGTH[algorithm])
      throw new OvaInvalidError(
        `Its manifest's ${algo} digest of ${name} has ${hex.length} digits, not ${HEX_LENGTH[algorithm]}`,
      );
    if (out.has(name)) throw new OvaInvalidError(`Its manifest lists ${name} twice`);
    out.set(name, { algorithm, hex: hex.toLowerCase() });
  });
  return out;
}

/** Hashes one entry with the algorithms asked for (all of them while the manifest is not read yet). */
export class EntryDigest {
  private readonly hashes: Map<DigestAlgorithm, Hash>;
  constructor(algorithms: readonly DigestAlgorithm[]) {
    this.hashes = new Map(algorithms.map((a) => [a, createHash(a)]));
  }
  update(chunk: Uint8Array): void {
    for (const h of this.hashes.values()) h.update(chunk);
  }
  /** The digests, by algorithm (call once, at the end). */
  digests(): Partial<Record<DigestAlgorithm, string>> {
    return Object.fromEntries([...this.hashes].map(([a, h]) => [a, h.digest('hex')]));
  }
}

/**
 * Checks every entry against the manifest: each is listed with the digest it has, and each listed
 * file is in the OVA. `entries` holds the digests computed while reading.
 */
export function checkManifest(
  manifest: Map<string, ManifestLine>,
  entries: Map<string, Partial<Record<DigestAlgorithm, string>>>,
): void {
  for (const [name, digests] of entries) {
    const line = manifest.get(name);
    if (!line) throw new OvaInvalidError(`Its file ${name} is not listed in its manifest`);
    const got = digests[line.algorithm];
    if (got !== line.hex)
      throw new OvaInvalidError(
        `Its file ${name} does not match its manifest: ${line.algorithm.toUpperCase()} ${got ?? '(not computed)'}, the manifest says ${line.hex}`,
      );
  }
  for (const name of manifest.keys())
    if (!entries.has(name))
      throw new OvaInvalidError(`Its manifest lists ${name}, which the OVA does not hold`);
}
