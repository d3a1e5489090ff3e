/**
 * What a bundle of a VM on this machine holds, entry by entry (docs/bundle-format.md): its
 * description, each disk's guest-visible data (sparse), a direct kernel boot's kernel and initrd, its
 * UEFI variable store and its TPM state's files, each with its size known before a byte is written and its bytes to read once or twice
 * (standard output takes a first pass for the checksums).
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseDomainXml } from '../model/domain-xml/parse-domain.js';
import { dataDisks } from '../machines/disk-chain.js';
import { hasEmulatedTpm, nvramPath, tpmDir } from '../machines/state-files.js';
import { child, type XmlNode } from '../xml/node.js';
import { describeVm, descriptionXml, type VmDescription } from './description.js';
import { guestRanges, localDiskLayout, segmentBytes, type DiskLayout } from './disk-layout.js';
import type { BundleEntry } from './manifest.js';
import { sparseMapLength, type Segment } from './sparse-map.js';

/** One entry to write: its manifest line (checksum still open) and how to read its data. */
export interface EntrySource {
  entry: Omit<BundleEntry, 'sha256'>;
  /** A disk: the guest ranges holding data, written as a sparse entry of `entry.realSize`. */
  sparse?: Segment[];
  /** The entry's data (for a disk, the segments' bytes only); may be called more than once. */
  data(): AsyncIterable<Buffer>;
}

export interface VmSources {
  description: VmDescription;
  entries: EntrySource[];
  /** Bytes of data the entries carry, for progress. */
  dataBytes: number;
  /** Removes what reading needed (a converted copy of a compressed image). */
  cleanup(): Promise<void>;
}

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Every regular file under `dir`, as paths relative to it, sorted (swtpm's lock file left out). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || e.name === '.lock') continue;
    out.push(relative(dir, join(e.parentPath ?? e.path, e.name)));
  }
  return out.sort();
}

/**
 * The entries of the shut-off VM whose inactive domain XML is `xml`, its files on this machine.
 * `tmpDir` takes a flattened copy of a disk image that cannot be read in place.
 */
export async function localVmSources(xml: string, tree: XmlNode, tmpDir: string): Promise<VmSources> {
  const spec = parseDomainXml(xml);
  const description = describeVm(spec);
  const layouts: DiskLayout[] = [];
  const cleanup = () => Promise.all(layouts.map((l) => l.cleanup())).then(() => undefined);
  try {
    const domainXml = Buffer.from(descriptionXml(description));
    const entries: EntrySource[] = [
      { entry: { path: 'domain.xml', kind: 'domain', size: domainXml.length }, data: () => once(domainXml) },
    ];
    const disks = dataDisks(tree).sort((a, b) => a.target.localeCompare(b.target));
    for (const disk of disks) {
      const layout = await localDiskLayout(disk.path, tmpDir);
      layouts.push(layout);
      const ranges = guestRanges(layout.segments);
      const data = ranges.reduce((s, r) => s + r.length, 0);
      entries.push({
        entry: {
          path: `disks/${disk.target}.raw`,
          kind: 'disk',
          target: disk.target,
          realSize: layout.realSize,
          size: sparseMapLength(ranges, layout.realSize) + data,
        },
        sparse: ranges,
        data: () => segmentBytes(layout.segments),
      });
    }
    // A direct kernel boot cannot start without its kernel and initrd: they travel with the VM.
    for (const [which, path] of [
      ['kernel', spec.os.kernel],
      ['initrd', spec.os.initrd],
    ] as const) {
      if (!path) continue;
      const size = (await stat(path)).size;
      entries.push({
        entry: { path: `boot/${which}`, kind: 'boot', size },
        data: () => createReadStream(path),
      });
    }
    const nvram = nvramPath(tree);
    if (nvram && (await exists(nvram))) {
      const bytes = await readFile(nvram);
      entries.push({
        entry: { path: 'nvram/VARS.fd', kind: 'nvram', size: bytes.length },
        data: () => once(bytes),
      });
    }
    const uuid = child(tree, 'uuid')?.text;
    if (uuid && hasEmulatedTpm(tree) && (await exists(tpmDir(uuid))))
      for (const rel of await filesUnder(tpmDir(uuid))) {
        const bytes = await readFile(join(tpmDir(uuid), rel));
        entries.push({
          entry: { path: `tpm/${rel}`, kind: 'tpm', size: bytes.length },
          data: () => once(bytes),
        });
      }
    const dataBytes = entries.reduce(
      (s, e) => s + (e.sparse ? e.sparse.reduce((a, r) => a + r.length, 0) : e.entry.size),
      0,
    );
    return { description, entries, dataBytes, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
