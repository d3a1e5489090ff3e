/**
 * `phyllo vm import`: a bundle (docs/bundle-format.md) into a new VM on the connection's host. Every
 * entry is read and checked against the manifest before anything is defined: on this machine the
 * disk goes to a hidden file in the storage pool's directory, named after this process; on another
 * host (where nothing can be renamed through libvirt) to a volume at its final name. The UEFI
 * variables, TPM state, kernel and initrd (small) stay in memory. Only when the whole bundle matched
 * is the model run for this host (KVM or TCG, CPU, firmware, network), the disk put at its final
 * name, the VM defined with the bundle's UUID and MAC addresses (new ones with `--name`, or when the
 * UUID is taken there) and its state files written where libvirt and swtpm keep them. A failure or
 * a cancel at any point removes what was made; files a killed import left on this machine are
 * removed by the next import (their process is gone).
 */
import { chown, link, mkdir, open, readdir, readFile, rm, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes, randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import {
  isLocal,
  isNotFound,
  parseUri,
  StreamHole,
  type Libvirt,
  type StoragePool,
  type StreamChunk,
} from '../libvirt/index.js';
import { volumeXml } from '../machines/volume-xml.js';
import { writeUsbRules } from '../machines/usb-rule-metadata.js';
import { StateFileExistsError, stateCopier, type StateCopier } from '../machines/state-copier.js';
import { PhyllomeError } from '../errors.js';
import { UndoList } from '../jobs/undo-list.js';
import { createVm, poolFor, type CreateVmDeps } from '../machines/create-vm.js';
import { VmExistsError } from '../machines/errors.js';
import { domainExists, hostName } from '../machines/find-vm.js';
import { isNoSpace } from '../machines/no-space.js';
import { NVRAM_DIR, SWTPM_DIR, nvramPath, tpmDir } from '../machines/state-files.js';
import type { ModelHostFacts } from '../model/host-facts.js';
import { modelOptionsFromFlags, validateName } from '../model/options.js';
import { child, el, type XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';
import { readDescription, type VmDescription } from './description.js';
import { BundleInvalidError } from './errors.js';
import { MAX_MANIFEST_BYTES, type BundleEntry, type BundleManifest } from './manifest.js';
import { bundleBytes } from './compression.js';
import { PositionalWriter } from './overlap.js';
import { periodicFlush } from './periodic-flush.js';
import { copyRanges } from './file-copy.js';
import { readBundle, type EntryTarget } from './read-bundle.js';
import { removeDeadProcessFiles } from '../machines/process-alive.js';
import { RemoteJournal, sweepRemoteRuns } from './remote-journal.js';

export interface ImportOptions {
  /** The new VM's name (a new UUID and MACs with it); default the bundle's. */
  name?: string;
  /** The storage pool for the disk; default `default` (/var/lib/libvirt/images). */
  pool?: string;
  signal?: AbortSignal;
  progress?: (done: number, total: number) => void;
  /** The model's options and hooks, as vm create has them. */
  deps?: CreateVmDeps;
}

export interface ImportedVm {
  name: string;
  uuid: string;
  disk?: string;
  nvram?: string;
  tpmState?: string;
  /** Every disk, the first one (`disk`) first, when the VM has more than one. */
  disks?: string[];
  /** What the bundle's source host was and this one is, when they differ (`domainType: kvm → qemu`). */
  changes: string[];
  decisions: Awaited<ReturnType<typeof createVm>>['decisions'];
  warnings: string[];
}

export class ImportNoRoomError extends PhyllomeError {
  override name = 'ImportNoRoomError';
  /** `why`: what did not fit (`its disks need 2.0 GiB, 1.1 GiB are free`). */
  constructor(dir: string, why: string, cause?: unknown) {
    super('pool-full', `No room for the bundle's VM in ${dir}: ${why}. Nothing was created`, {
      ...(cause === undefined ? {} : { cause }),
      hint: `Free space in ${dir}, or import into another pool (--pool NAME).`,
    });
  }
}

export class ImportUnsupportedError extends PhyllomeError {
  override name = 'ImportUnsupportedError';
  constructor(message: string, hint: string) {
    super('import-unsupported', message, { hint });
  }
}

/** Where libvirt keeps kernels and initrds for direct kernel boot (its security drivers allow it). */
export const BOOT_DIR = '/var/lib/libvirt/boot';

const gib = (n: number) =>
  n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${(n / 2 ** 20).toFixed(1)} MiB`;
const PREFIX = '.phyllo-import-';

/** Removes what imports that died left (`.phyllo-import-PID-…` of a process that is gone). */
export async function sweepDeadImports(dirs: string[]): Promise<void> {
  const pidOf = (n: string) => {
    const m = /^\.phyllo-import-(\d+)-/.exec(n);
    return m ? Number(m[1]) : undefined;
  };
  for (const dir of dirs) await removeDeadProcessFiles(dir, pidOf, { directories: true });
}

const DEFAULT_IMAGES = '/var/lib/libvirt/images';

/**
 * The storage pool the disk goes to and its directory: `--pool NAME` (a running dir pool), or the
 * pool of /var/lib/libvirt/images, defined and started as vm create does when missing.
 */
export async function targetPool(
  lv: Libvirt,
  name: string | undefined,
  undo: UndoList,
): Promise<{ pool: StoragePool; dir: string }> {
  if (name === undefined)
    return { pool: (await poolFor(lv, DEFAULT_IMAGES, undo)).pool, dir: DEFAULT_IMAGES };
  const pool = await lv.pools.lookup(name).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  const dir = pool && /<path>([^<]+)<\/path>/.exec((await pool.xml()).split('<target>')[1] ?? '')?.[1];
  if (!pool || !dir)
    throw new ImportUnsupportedError(
      `There is no storage pool "${name}" with a directory on ${hostName(lv)}`,
      'Name a directory pool (virsh pool-list --all), or leave --pool out for the default one.',
    );
  return { pool, dir };
}

/**
 * A file written at offsets, created empty at `size` (a sparse disk: holes stay holes). From a bundle
 * file, its data is copied file to file, all-zero blocks left as holes.
 */
async function fileTarget(
  path: string,
  size: number,
  undo: UndoList,
  signal: AbortSignal | undefined,
): Promise<EntryTarget & { fh: FileHandle }> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const fh = await open(path, 'wx', 0o600);
  const out = new PositionalWriter(fh);
  // Written from a stream (a compressed bundle, standard input), the data goes to the disk as it goes.
  const flush = periodicFlush(fh);
  undo.push(`wrote ${path}`, async () => {
    // An entry refused halfway: its writes end, its file is closed (a server lives on), then removed.
    await out.flush().catch(() => undefined);
    await flush.settle().catch(() => undefined);
    await fh.close().catch(() => undefined);
    await rm(path, { force: true });
  });
  await fh.truncate(size);
  return {
    fh,
    write: (chunk, offset) => {
      flush.wrote(chunk.length);
      return out.write(chunk, offset);
    },
    async copy(req) {
      await out.flush();
      return copyRanges({ ...req, out: fh.fd, skipZeros: true, ...(signal ? { signal } : {}) });
    },
    async done() {
      await out.flush();
      await flush.settle();
      await fh.sync();
      await fh.close();
    },
  };
}

/**
 * A new raw volume `name` of `size` bytes in `pool`, written through the host's libvirt (a sparse
 * upload: the gaps between a disk's segments go as holes). Used for a host that is not this machine,
 * where no file can be renamed into place, so the volume has its final name from the start.
 */
async function volumeTarget(
  pool: StoragePool,
  name: string,
  size: number,
  undo: UndoList,
  journal: RemoteJournal,
): Promise<EntryTarget & { path: string }> {
  const made = { kind: 'volume', pool: pool.name, name } as const;
  await journal.add(made);
  const vol = await pool.volumes
    .create(volumeXml(name, size, { sparse: true, permissions: 0o600 }))
    .catch(async (err: unknown) => {
      await journal.drop(made);
      throw err;
    });
  undo.push(`created the volume ${pool.name}/${name}`, () => vol.delete());
  const up = await vol.uploadSparse();
  undo.push(`uploading ${name}`, async () => {
    if (!up.writableFinished) await up.abort().catch(() => undefined);
  });
  const failed = new Promise<never>((_, reject) => up.once('error', reject));
  failed.catch(() => undefined);
  let pos = 0;
  const put = async (c: StreamChunk) => {
    if (!up.write(c)) await Promise.race([once(up, 'drain'), failed]);
  };
  return {
    path: await vol.path(),
    async write(chunk, offset) {
      if (offset > pos) await put(new StreamHole(offset - pos));
      await put(chunk);
      pos = offset + chunk.length;
    },
    async done() {
      if (pos < size) await put(new StreamHole(size - pos));
      up.end();
      await Promise.race([finished(up), failed]);
    },
  };
}

/** An entry kept in memory (UEFI variables, TPM state, a kernel) until the whole bundle matched. */
function memoryTarget(path: string, kept: Map<string, Buffer>): EntryTarget {
  const parts: Buffer[] = [];
  return {
    async write(c) {
      parts.push(Buffer.from(c));
    },
    async done() {
      kept.set(path, Buffer.concat(parts));
    },
  };
}

/** The largest entry that is not a disk: held in memory until the bundle matched. */
export const MAX_SMALL_ENTRY = 256 * 2 ** 20;

/**
 * The user and group swtpm runs as (qemu.conf's swtpm_user and swtpm_group, `tss` by default):
 * libvirt makes a new TPM's state directory theirs, but takes one that exists as it is.
 */
export async function swtpmOwner(): Promise<{ uid: number; gid: number } | undefined> {
  const conf = await readFile('/etc/libvirt/qemu.conf', 'utf8').catch(() => '');
  const setting = (key: string) => new RegExp(`^\\s*${key}\\s*=\\s*"([^"]+)"`, 'm').exec(conf)?.[1] ?? 'tss';
  const id = async (file: string, name: string) =>
    (await readFile(file, 'utf8').catch(() => ''))
      .split('\n')
      .map((l) => l.split(':'))
      .find((f) => f[0] === name)?.[2];
  const uid = await id('/etc/passwd', setting('swtpm_user'));
  const gid = await id('/etc/group', setting('swtpm_group'));
  return uid !== undefined && gid !== undefined ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

async function chownTree(dir: string, owner: { uid: number; gid: number }): Promise<void> {
  await chown(dir, owner.uid, owner.gid);
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    await chown(join(e.parentPath, e.name), owner.uid, owner.gid);
}

/** Moves `from` to `to` only if `to` is not there (a hard link, then the old name removed). */
export async function placeFile(from: string, to: string): Promise<void> {
  await link(from, to);
  await unlink(from);
}

function differences(m: BundleManifest, created: string): string[] {
  const out: string[] = [];
  const type = /<domain type='(\w+)'/.exec(created)?.[1];
  if (m.source.domainType && type && m.source.domainType !== type)
    out.push(
      `${m.source.domainType === 'kvm' ? 'KVM' : 'TCG (no KVM)'} on the host it came from, ${type === 'kvm' ? 'KVM' : 'TCG (no KVM)'} here`,
    );
  return out;
}

/** A new file through the host's copier; one that is there is an ImportUnsupportedError saying so. */
async function putFile(
  files: StateCopier,
  at: string,
  bytes: Buffer,
  what: string,
  undo: UndoList,
  journal: RemoteJournal | undefined,
): Promise<void> {
  await journal?.add({ kind: 'file', path: at });
  await files.writeFile(at, bytes).catch(async (err: unknown) => {
    // Not ours after all: a later sweep must not remove it.
    if (err instanceof StateFileExistsError) await journal?.drop({ kind: 'file', path: at });
    if (err instanceof StateFileExistsError)
      throw new ImportUnsupportedError(
        `${at} already exists, so the imported ${what} is not put there`,
        'Import it under another name (--name NEW), or remove that file if nothing uses it.',
      );
    throw err;
  });
  undo.push(`put the ${what} at ${at}`, () => files.remove(at));
}

/**
 * Imports the bundle read from `source` into a new VM on the connection's host: this machine (its
 * files written directly) or another one (everything through its libvirt: the disk as a volume
 * upload, the state files through transient storage pools, state-copier-remote.ts).
 */
export async function importVm(
  lv: Libvirt,
  source: AsyncIterable<Uint8Array>,
  host: ModelHostFacts,
  opts: ImportOptions = {},
): Promise<ImportedVm> {
  const local = isLocal(parseUri(lv.requestedUri));
  const files = stateCopier(lv);
  const undo = new UndoList();
  const { pool, dir } = await targetPool(lv, opts.pool, undo);
  if (local) await sweepDeadImports([dir, NVRAM_DIR, SWTPM_DIR, BOOT_DIR]);
  // What it cannot remove now stays written down for a later run; it does not stop this one.
  else await sweepRemoteRuns(lv).catch(() => undefined);
  // What is made there is written down here first, so a kill or a cut connection leaves nothing behind.
  const journal = local ? undefined : await RemoteJournal.begin(lv);
  const tag = `${PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`;
  let description: VmDescription | undefined;
  let name = opts.name ?? '';
  let renamed = false;
  /** The disks as written: hidden files to rename here, or volumes at their final paths there. */
  const disks: { target: string; tmp?: string; path: string }[] = [];
  const kept = new Map<string, Buffer>();
  let total = 0;
  try {
    // A compressed bundle may expand to its manifest (and headers) first, then to what the manifest lists.
    let cap = 2 * MAX_MANIFEST_BYTES;
    const manifest = await readBundle(
      bundleBytes(source, opts.signal, () => cap),
      {
        signal: opts.signal,
        onData: (n) => opts.progress?.(n, total),
        async manifest(m) {
          name ||= m.vm.name;
          validateName(name);
          renamed = name !== m.vm.name;
          const diskEntries = m.entries.filter((e) => e.kind === 'disk');
          const big = m.entries.find((e) => e.kind !== 'disk' && e.size > MAX_SMALL_ENTRY);
          if (big)
            throw new BundleInvalidError(
              `Its entry ${big.path} is ${gib(big.size)}: a UEFI variable store, TPM state file, kernel or initrd is at most ${gib(MAX_SMALL_ENTRY)}`,
            );
          if (await domainExists(lv, name)) throw new VmExistsError(name);
          total = m.entries.reduce((s, e) => s + e.size, 0);
          cap = 2 * MAX_MANIFEST_BYTES + total + (m.entries.length + 2) * 2048;
          const need = diskEntries.reduce((s, e) => s + e.size, 0);
          await pool.refresh();
          const free = Number((await pool.info()).available);
          if (need > free)
            throw new ImportNoRoomError(dir, `its disks need ${gib(need)}, ${gib(free)} are free`);
        },
        async target(e: BundleEntry) {
          if (e.kind === 'domain') {
            const parts: Buffer[] = [];
            return {
              async write(c) {
                parts.push(Buffer.from(c));
              },
              async done() {
                description = readDescription(Buffer.concat(parts).toString('utf8'));
              },
            };
          }
          if (e.kind === 'disk') {
            // The VM's first disk (it boots from it) is NAME.raw, the others NAME-TARGET.raw.
            const first = description?.disks[0]?.target ?? e.target;
            const volName = e.target === first ? `${name}.raw` : `${name}-${e.target}.raw`;
            if (local) {
              const tmp = join(dir, `${tag}-${e.target}.raw`);
              disks.push({ target: e.target!, tmp, path: join(dir, volName) });
              return fileTarget(tmp, e.realSize ?? 0, undo, opts.signal);
            }
            if (await volumeThere(pool, volName)) throw diskThere(join(dir, volName));
            const t = await volumeTarget(pool, volName, e.realSize ?? 0, undo, journal!);
            disks.push({ target: e.target!, path: t.path });
            return t;
          }
          return memoryTarget(e.path, kept);
        },
      },
    );
    const d = description!;
    const m = manifest.vm;
    if (d.name !== m.name || d.uuid !== m.uuid || d.profile !== m.profile || d.os !== m.os)
      throw new BundleInvalidError('Its domain.xml and its manifest name different VMs');
    for (const disk of disks)
      if (!d.disks.some((x) => x.target === disk.target))
        throw new BundleInvalidError(`Its domain.xml has no disk ${disk.target}, which its manifest lists`);
    // The first disk of the description is the one the model gets (it boots from it); the others are
    // added to the domain after it, on their buses, as they were.
    disks.sort((a, b) => targetOrder(d, a.target) - targetOrder(d, b.target));
    // A new identity when asked for a new name, or when this host already has a VM with that UUID.
    const uuidTaken = await domainExists(lv, d.uuid);
    const keep = !renamed && !uuidTaken;
    const uuid = keep ? d.uuid : randomUUID();
    const finalDisk = disks[0]?.path;
    for (const disk of disks) {
      if (!disk.tmp) continue;
      const at = disk.path;
      await placeFile(disk.tmp, at).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw diskThere(at);
        throw err;
      });
      undo.push(`put the disk at ${at}`, () => rm(at, { force: true }).then(() => pool.refresh()));
    }
    // libvirt learns of the new volumes (so vm delete, clone and snapshots find them).
    if (disks.some((x) => x.tmp)) await pool.refresh();
    const bootAt: Partial<Record<'kernel' | 'initrd', string>> = {};
    for (const which of ['kernel', 'initrd'] as const) {
      const bytes = kept.get(`boot/${which}`);
      if (!bytes) continue;
      const at = join(BOOT_DIR, `${name}-${which}`);
      await putFile(files, at, bytes, which, undo, journal);
      bootAt[which] = at;
    }
    // The recorded options as vm info reads them (flag names, booleans as words), with what this
    // import decides: the imported disk, kernel and initrd, the memory and vCPUs the VM had.
    const values: Record<string, unknown> = {
      ...Object.fromEntries(
        Object.entries(d.options).map(([k, v]) => [k, k === 'migratable' ? v === 'true' : v]),
      ),
      memory: `${Math.round(d.memoryKiB / 1024)}M`,
      vcpus: String(d.vcpus),
      ...(finalDisk ? { 'disk-image': finalDisk } : { 'disk-size': 'none' }),
      ...(d.interfaces[0] ? { network: d.interfaces[0].network } : {}),
      ...bootAt,
    };
    if (finalDisk) delete values['disk-size'];
    await journal?.add({ kind: 'domain', uuid });
    const created = await createVm(lv, modelOptionsFromFlags(values, name, d.os), host, {
      ...opts.deps,
      identity: { uuid, macs: keep ? d.interfaces.map((i) => i.mac) : [] },
      ownsDiskImage: true,
      ownedFiles: Object.values(bootAt),
    });
    const dom = await lv.domains.lookup(created.uuid);
    undo.push(`defined the VM ${name}`, () => dom.undefine());
    let tree = parseXml(created.xml);
    // What the model does not make: the other disks, and the VM's USB rules (its metadata).
    if (disks.length > 1)
      tree = withExtraDisks(
        tree,
        disks.slice(1).map((x) => ({ ...x, bus: d.disks.find((y) => y.target === x.target)!.bus })),
      );
    if (d.usbRules.length) tree = writeUsbRules(tree, d.usbRules);
    if (disks.length > 1 || d.usbRules.length) await lv.domains.define(serializeXml(tree));
    let nvramAt: string | undefined;
    const nvram = kept.get('nvram/VARS.fd');
    if (nvram) {
      nvramAt = nvramPath(tree);
      if (!nvramAt)
        throw new ImportUnsupportedError(
          `The bundle carries UEFI variables, but the model made ${name} boot BIOS here`,
          "Import it on a host with UEFI firmware (OVMF: Debian's ovmf package).",
        );
      await putFile(files, nvramAt, nvram, 'UEFI variables', undo, journal);
    }
    let tpmAt: string | undefined;
    const tpm = [...kept].filter(([path]) => path.startsWith('tpm/'));
    if (tpm.length) {
      const at = tpmDir(created.uuid);
      if (await files.exists(at))
        throw new ImportUnsupportedError(
          `${at} already exists, so the TPM state is not put there`,
          'Remove it if no VM uses it, then try again.',
        );
      await journal?.add({ kind: 'file', path: at });
      undo.push(`put the TPM state at ${at}`, () => files.remove(at));
      for (const [path, bytes] of tpm) await files.writeFile(join(at, path.slice('tpm/'.length)), bytes);
      // Here libvirt takes an existing state directory as it is: it must be swtpm's already.
      const owner = local ? await swtpmOwner() : undefined;
      if (owner) await chownTree(at, owner);
      tpmAt = at;
    }
    await journal?.end();
    return {
      name,
      uuid: created.uuid,
      ...(finalDisk ? { disk: finalDisk } : {}),
      ...(disks.length > 1 ? { disks: disks.map((x) => x.path) } : {}),
      ...(nvramAt ? { nvram: nvramAt } : {}),
      ...(tpmAt ? { tpmState: tpmAt } : {}),
      changes: differences(manifest, created.xml),
      decisions: created.decisions,
      warnings: created.warnings,
    };
  } catch (err) {
    const left = await undo.run();
    // An undo that could not reach the host (a cut connection): the next run to that host finishes it.
    await (left.length ? journal?.abandon() : journal?.end());
    throw isNoSpace(err) && !(err instanceof PhyllomeError)
      ? new ImportNoRoomError(dir, 'the file system filled up while it was written', err)
      : err;
  }
}

/** Where a disk's target comes in the description (its first disk boots). */
function targetOrder(d: VmDescription, target: string): number {
  return d.disks.findIndex((x) => x.target === target);
}

/**
 * The domain with the bundle's other disks after the one the model made: raw files on their old buses
 * under their old targets (another free one on that bus when the model's disk took it).
 */
function withExtraDisks(tree: XmlNode, extra: { target: string; path: string; bus: string }[]): XmlNode {
  const devices = child(tree, 'devices')!;
  const taken = new Set(
    devices.children.filter((c) => c.name === 'disk').map((c) => child(c, 'target')?.attrs.dev ?? ''),
  );
  const lastDisk = devices.children.map((c) => c.name).lastIndexOf('disk');
  const added = extra.map((x) => {
    let dev = x.target;
    for (let i = 0; taken.has(dev); i++) dev = `${x.target.slice(0, 2)}${diskLetters(i)}`;
    taken.add(dev);
    return el('disk', { type: 'file', device: 'disk' }, [
      el('driver', { name: 'qemu', type: 'raw' }),
      el('source', { file: x.path }),
      el('target', { dev, bus: x.bus }),
    ]);
  });
  devices.children.splice(lastDisk + 1, 0, ...added);
  return tree;
}

/** a, b, … z, aa, ab: the letters of a disk's target name. */
function diskLetters(i: number): string {
  return i < 26 ? String.fromCharCode(97 + i) : diskLetters(Math.floor(i / 26) - 1) + diskLetters(i % 26);
}

function diskThere(path: string): ImportUnsupportedError {
  return new ImportUnsupportedError(
    `${path} already exists, so the imported disk is not put there`,
    'Import it under another name (--name NEW), or remove that file if nothing uses it.',
  );
}

async function volumeThere(pool: StoragePool, name: string): Promise<boolean> {
  return pool.volumes.lookup(name).then(
    () => true,
    (err: unknown) => {
      if (isNotFound(err)) return false;
      throw err;
    },
  );
}
