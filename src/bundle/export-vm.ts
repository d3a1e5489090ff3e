/**
 * `phyllo vm export`: a shut-off VM of this machine into one bundle file (docs/bundle-format.md), or
 * onto a stream (standard output). A file is written under a temporary name beside the final one,
 * in one pass: the manifest goes first with its checksums open, is rewritten in place at the end,
 * then the file is flushed to disk and renamed, so the final path holds a whole bundle or nothing. A
 * stream cannot be rewritten: its checksums are computed in a first pass over the data.
 */
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DomainXmlFlags, type Libvirt } from '../libvirt/index.js';
import { PhyllomeError } from '../errors.js';
import { requireShutOff } from '../machines/clone-vm.js';
import { findVm } from '../machines/find-vm.js';
import { isNoSpace } from '../machines/no-space.js';
import { removeDeadProcessFiles } from '../machines/process-alive.js';
import { withVmLock } from '../machines/vm-lock.js';
import { child } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { vmSources, type VmSources } from './export-sources.js';
import { PositionalWriter } from './overlap.js';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  manifestReserve,
  type BundleEntry,
  type BundleManifest,
} from './manifest.js';
import { entryChecksums, manifestRegion, writeBundle, type Compression } from './write-bundle.js';
import type { TarSink } from './tar-writer.js';

export type ExportPhase = 'checksums' | 'data';

/** The job's words for an export phase. */
export const EXPORT_PHASE_WORDS: Record<ExportPhase, string> = {
  checksums: 'checksums of the disk data',
  data: 'disk data',
};

export interface ExportOptions {
  /** The zstd layer; none for an uncompressed bundle. */
  compression?: Compression;
  /** Written into the manifest. */
  phyllomeVersion: string;
  signal?: AbortSignal;
  /**
   * Data bytes of `total` read in `phase`: `checksums` (to standard output, a first pass that reads
   * the data for the manifest's checksums, which come first), then `data` (written to the bundle).
   */
  progress?: (done: number, total: number, phase: ExportPhase) => void;
}

export interface ExportedVm {
  name: string;
  /** The bundle's path, or `-` for a stream. */
  file: string;
  compressed: boolean;
  /** The bundle's length in bytes. */
  bytes: number;
  /** Data bytes carried (disk data, NVRAM, TPM state, description). */
  dataBytes: number;
  entries: BundleEntry[];
}

/** The file system of the bundle's directory filled up: the partial bundle was removed. */
export class ExportNoSpaceError extends PhyllomeError {
  override name = 'ExportNoSpaceError';
  constructor(file: string, cause: unknown) {
    super(
      'no-space',
      `No room for the bundle in ${dirname(file)} (No space left on device): nothing was left at ${file}`,
      {
        cause,
        hint: 'Free space there, or export to another disk (or to - and pipe it on).',
      },
    );
  }
}

const PLACEHOLDER = '0'.repeat(64);

function manifestOf(
  version: string,
  name: string,
  uuid: string,
  xmlArch: string | undefined,
  type: string | undefined,
  sources: VmSources,
  entries: BundleEntry[],
): BundleManifest {
  const d = sources.description;
  return {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    phyllomeVersion: version,
    createdAt: new Date().toISOString(),
    vm: { name, uuid, profile: d.profile, os: d.os, modelVersion: d.modelVersion, options: d.options },
    source: { ...(xmlArch ? { arch: xmlArch } : {}), ...(type ? { domainType: type } : {}) },
    entries,
  };
}

/** Exports the shut-off VM `name` to `file`, or to `stream` when `file` is `-`. */
export async function exportVm(
  lv: Libvirt,
  name: string,
  file: string,
  opts: ExportOptions & { stream?: NodeJS.WritableStream },
): Promise<ExportedVm> {
  const dom = await findVm(lv, name);
  return withVmLock(lv, dom, `export to ${file}`, async () => {
    await requireShutOff(dom, 'Exporting');
    const xml = await dom.xml(DomainXmlFlags.INACTIVE);
    const tree = parseXml(xml, `the domain XML of "${name}"`);
    const tmpDir = file === '-' ? (process.env.TMPDIR ?? '/tmp') : dirname(file);
    const sources = await vmSources(lv, xml, tree, tmpDir, opts.signal);
    try {
      const arch = child(child(tree, 'os'), 'type')?.attrs.arch;
      const progress = (done: number) => opts.progress?.(done, sources.dataBytes, 'data');
      const base = (entries: BundleEntry[]) =>
        manifestOf(opts.phyllomeVersion, name, dom.uuid, arch, tree.attrs.type, sources, entries);
      if (file === '-') {
        const out = opts.stream ?? process.stdout;
        const entries = await entryChecksums(sources.entries, opts.signal, (done) =>
          opts.progress?.(done, sources.dataBytes, 'checksums'),
        );
        const manifest = base(entries);
        let bytes = 0;
        const sink: TarSink = (c) => {
          bytes += c.length;
          return writeOut(out, c, opts.signal);
        };
        await writeBundle(sink, manifest, manifestReserve(manifest), sources.entries, {
          ...opts,
          onData: progress,
        });
        return {
          name,
          file,
          compressed: opts.compression !== undefined,
          bytes,
          dataBytes: sources.dataBytes,
          entries,
        };
      }
      return await toFile(
        file,
        base,
        sources.entries,
        sources.dataBytes,
        { ...opts, onData: progress },
        name,
      );
    } finally {
      await sources.cleanup();
    }
  });
}

/**
 * One write to the output stream, settled by its callback, by the stream closing or by the signal:
 * a pipe whose reader went away can be destroyed with this write still waiting for room, and then
 * its callback never comes.
 */
function writeOut(out: NodeJS.WritableStream, c: Uint8Array, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: unknown) => {
      signal?.removeEventListener('abort', onAbort);
      out.removeListener('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => settle(signal?.reason ?? new Error('aborted'));
    const onClose = () => settle(new Error('The output closed before the bundle was written'));
    signal?.addEventListener('abort', onAbort, { once: true });
    out.once('close', onClose);
    out.write(c, (err) => settle(err ?? undefined));
  });
}

async function toFile(
  file: string,
  base: (entries: BundleEntry[]) => BundleManifest,
  sources: VmSources['entries'],
  dataBytes: number,
  opts: ExportOptions & { onData: (n: number) => void },
  name: string,
): Promise<ExportedVm> {
  const tmp = join(dirname(file), `.${basename(file)}.partial-${process.pid}`);
  await sweepDeadPartials(file);
  const fh = await open(tmp, 'wx', 0o600);
  let closed = false;
  try {
    const skeleton = base(sources.map((s) => ({ ...s.entry, sha256: PLACEHOLDER })));
    const reserve = manifestReserve(skeleton);
    let bytes = 0;
    const out = new PositionalWriter(fh);
    const sink: TarSink = (c) => {
      const at = bytes;
      bytes += c.length;
      return out.write(c, at);
    };
    const entries = await writeBundle(sink, skeleton, reserve, sources, {
      ...opts,
      file: {
        fd: fh.fd,
        path: tmp,
        position: () => bytes,
        advance: (n) => (bytes += n),
        flush: () => out.flush(),
      },
    });
    await out.flush();
    const region = await manifestRegion(
      { ...skeleton, entries },
      reserve,
      opts.compression,
      new Date(skeleton.createdAt),
    );
    await fh.write(region, 0, region.length, 0);
    await fh.sync();
    await fh.close();
    closed = true;
    await rename(tmp, file);
    const dir = await open(dirname(file), 'r');
    await dir.sync().finally(() => dir.close());
    return { name, file, compressed: opts.compression !== undefined, bytes, dataBytes, entries };
  } catch (err) {
    if (!closed) await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw isNoSpace(err) ? new ExportNoSpaceError(file, err) : err;
  }
}

/**
 * Removes what exports to `file` that died left beside it (`.NAME.partial-PID` of a process that is
 * gone: one killed halfway cannot remove its own), so a second try does not leave the first one's
 * gigabytes behind. A live process's file, or one of another user's process, stays.
 */
async function sweepDeadPartials(file: string): Promise<void> {
  const prefix = `.${basename(file)}.partial-`;
  await removeDeadProcessFiles(dirname(file), (n) => {
    const pid = n.startsWith(prefix) ? Number(n.slice(prefix.length)) : NaN;
    return Number.isInteger(pid) ? pid : undefined;
  });
}
