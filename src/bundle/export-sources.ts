/**
 * What a bundle of a VM holds, entry by entry (docs/bundle-format.md): its
 * description, each disk's guest-visible data (sparse), a direct kernel boot's kernel and initrd, its
 * UEFI variable store and its TPM state's files, each with its size known before a byte is written and its bytes to read once or twice
 * (standard output takes a first pass for the checksums).
 */
import { randomBytes } from 'node:crypto';
import { readUsbRules } from '../machines/usb-rule-metadata.js';
import { basename, join } from 'node:path';
import { isLocal, parseUri, type Libvirt } from '../libvirt/index.js';
import { stateCopier } from '../machines/state-copier.js';
import { parseDomainXml } from '../model/domain-xml/parse-domain.js';
import { dataDisks } from '../machines/disk-chain.js';
import { hasEmulatedTpm, nvramPath, tpmDir } from '../machines/state-files.js';
import { child, type XmlNode } from '../xml/node.js';
import { describeVm, descriptionXml, type VmDescription } from './description.js';
import { guestRanges, localDiskLayout, segmentBytes, type DataSegment } from './disk-layout.js';
import { remoteDisk } from './remote-disk.js';
import type { BundleEntry } from './manifest.js';
import { sparseMapLength, type Segment } from './sparse-map.js';

/** One entry to write: its manifest line (checksum still open) and how to read its data. */
export interface EntrySource {
  entry: Omit<BundleEntry, 'sha256'>;
  /** A disk: the guest ranges holding data, written as a sparse entry of `entry.realSize`. */
  sparse?: Segment[];
  /** The entry's data (for a disk, the segments' bytes only); may be called more than once. */
  data(): AsyncIterable<Buffer>;
  /** A disk on this machine: where its data is in its files (the writer may copy them file to file). */
  local?: DataSegment[];
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

/** A disk's data ranges and how to read them: from its files on this machine, or through a remote libvirt. */
async function diskSource(
  lv: Libvirt,
  path: string,
  tmpDir: string,
  tmpName: string,
  signal?: AbortSignal,
): Promise<{
  realSize: number;
  ranges: Segment[];
  data(): AsyncIterable<Buffer>;
  local?: DataSegment[];
  cleanup(): Promise<void>;
}> {
  if (!isLocal(parseUri(lv.requestedUri))) return remoteDisk(lv, path, tmpName, signal);
  const layout = await localDiskLayout(path, tmpDir);
  return {
    ...layout,
    ranges: guestRanges(layout.segments),
    data: () => segmentBytes(layout.segments),
    local: layout.segments,
  };
}

/**
 * The entries of the shut-off VM whose inactive domain XML is `xml`, its files read on its host: on
 * this machine's file system, or through the host's libvirt (remote-disk.ts, state-copier-remote.ts).
 * `tmpDir` (on this machine) takes a flattened copy of a local disk image that cannot be read in place.
 */
export async function vmSources(
  lv: Libvirt,
  xml: string,
  tree: XmlNode,
  tmpDir: string,
  signal?: AbortSignal,
): Promise<VmSources> {
  const spec = parseDomainXml(xml);
  const description = describeVm(spec, readUsbRules(tree));
  const files = stateCopier(lv);
  const layouts: { cleanup(): Promise<void> }[] = [];
  const cleanup = () => Promise.all(layouts.map((l) => l.cleanup())).then(() => undefined);
  try {
    const domainXml = Buffer.from(descriptionXml(description));
    const entries: EntrySource[] = [
      { entry: { path: 'domain.xml', kind: 'domain', size: domainXml.length }, data: () => once(domainXml) },
    ];
    const disks = dataDisks(tree).sort((a, b) => a.target.localeCompare(b.target));
    for (const disk of disks) {
      const tmpName = `phyllo-export-${process.pid}-${randomBytes(4).toString('hex')}-${disk.target}.raw`;
      const layout = await diskSource(lv, disk.path, tmpDir, tmpName, signal);
      layouts.push(layout);
      const ranges = layout.ranges;
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
        data: () => layout.data(),
        ...(layout.local ? { local: layout.local } : {}),
      });
    }
    // A direct kernel boot cannot start without its kernel and initrd: they travel with the VM.
    for (const [which, path] of [
      ['kernel', spec.os.kernel],
      ['initrd', spec.os.initrd],
    ] as const) {
      if (!path) continue;
      const bytes = await files.readFile(path);
      entries.push({
        entry: { path: `boot/${which}`, kind: 'boot', size: bytes.length },
        data: () => once(bytes),
      });
    }
    const nvram = nvramPath(tree);
    if (nvram && (await files.exists(nvram))) {
      const bytes = await files.readFile(nvram);
      entries.push({
        entry: { path: 'nvram/VARS.fd', kind: 'nvram', size: bytes.length },
        data: () => once(bytes),
      });
    }
    const uuid = child(tree, 'uuid')?.text;
    // swtpm's lock file is its running instance's, not state.
    const tpmFiles = uuid && hasEmulatedTpm(tree) ? await files.listFiles(tpmDir(uuid)) : [];
    for (const rel of tpmFiles.filter((f) => basename(f) !== '.lock')) {
      const bytes = await files.readFile(join(tpmDir(uuid!), rel));
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
