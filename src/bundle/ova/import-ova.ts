/**
 * `phyllo vm import-ova`: a VM exported by VirtualBox or VMware (an OVA: OVF descriptor, manifest,
 * VMDK) into a new VM on this machine's libvirt. In order, nothing defined before the last step:
 * 1. the OVF (the OVA's first file) is parsed and mapped (`ovf-map.ts`): an unknown OS, a taken name,
 *    two disks, a hostile OVF fail here, before a byte of disk is written;
 * 2. the VMDK is written to a hidden file in the storage pool's directory while every file is hashed;
 *    the manifest's digests are checked once the archive is read;
 * 3. the VMDK's header and extents are checked, and `qemu-img convert` makes a hidden qcow2 of it
 *    (progress, cancellable), which is then linked to its final name (never over another file);
 * 4. `createVm` defines the VM with the guest profile, the OVF's memory and vCPUs, the firmware the
 *    disk was installed for, and that disk (`vm delete` removes it with the VM).
 * A failure or a cancel anywhere removes what was made; files of an import that was killed are
 * removed by the next one (`sweepDeadImports`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveGuestOs } from '../../catalog/guest-os.js';
import { InvalidInputError, PhyllomeError } from '../../errors.js';
import { UndoList } from '../../jobs/undo-list.js';
import { isLocal, parseUri, type Libvirt } from '../../libvirt/index.js';
import { createVm, type CreatedVm, type CreateVmDeps } from '../../machines/create-vm.js';
import { VmExistsError } from '../../machines/errors.js';
import { domainExists } from '../../machines/find-vm.js';
import { isNoSpace } from '../../machines/no-space.js';
import type { ModelHostFacts } from '../../model/host-facts.js';
import { modelOptionsFromFlags, validateName } from '../../model/options.js';
import { ImportNoRoomError, placeFile, sweepDeadImports, targetPool } from '../import-vm.js';
import { convertToQcow2, inspectVmdk } from './convert.js';
import { OvaInvalidError, OvaUnsupportedError } from './errors.js';
import { mapOvf, type NotCarried, type OvaPlan } from './ovf-map.js';
import { parseOvf } from './ovf-parse.js';
import { readOva } from './read-ova.js';
import { describeChanges } from './ova-changes.js';
import { checkVmdkHeader, VMDK_HEADER_BYTES } from './vmdk-header.js';
import { BUNDLE_CHUNK } from '../chunk-size.js';

export interface ImportOvaOptions {
  /** A profile or osinfo-db id over the OS type the OVF declares. */
  os?: string;
  /** The new VM's name (and a new MAC); default the appliance's name, made a valid VM name. */
  name?: string;
  /** The storage pool for the disk; default `default` (/var/lib/libvirt/images). */
  pool?: string;
  signal?: AbortSignal;
  progress?: (phase: string, done: number, total: number) => void;
  deps?: CreateVmDeps;
}

export interface ImportedOva {
  name: string;
  uuid: string;
  disk: string;
  /** What the OVA says it is. */
  source: { vendor: OvaPlan['vendor']; name: string; os: string };
  os: { id: string; reason: string };
  memoryMiB: number;
  vcpus: number;
  firmware: 'efi' | 'bios';
  secureBoot: boolean;
  tpm: boolean;
  /** Whether the OVA had a manifest, so every file was checked against it. */
  manifestChecked: boolean;
  /** Where this VM differs from the one the OVA describes (other than what is not carried over). */
  changes: string[];
  notCarried: NotCarried[];
  decisions: CreatedVm['decisions'];
  warnings: string[];
}

const PREFIX = '.phyllo-import-';

/** The appliance's name as a VM name: other characters as `-`, at most 63. */
export function vmNameFrom(source: string): string {
  const name = source
    .replace(/[^A-Za-z0-9._+-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return name || 'imported-vm';
}

/** Counts the bytes read from the OVA for the progress bar. */
async function* counted(
  source: AsyncIterable<Uint8Array>,
  onBytes: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of source) {
    n += chunk.length;
    onBytes(n);
    yield chunk;
  }
}

async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(VMDK_HEADER_BYTES);
    const { bytesRead } = await fh.read(buf, 0, VMDK_HEADER_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

const diskThere = (path: string) =>
  new OvaUnsupportedError(
    `${path} already exists, so the imported disk is not put there`,
    'Import it under another name (--name NEW), or remove that file if nothing uses it.',
  );

/** Imports the OVA at `file` into a new VM on the connection's host, which must be this machine. */
/** An OVA read from a stream (an upload), with its length when known (for progress and free space). */
export interface OvaStream {
  stream: AsyncIterable<Uint8Array>;
  size?: number;
}

async function ovaFile(file: string, signal?: AbortSignal): Promise<OvaStream> {
  const size = await stat(file).then(
    (s) => (s.isFile() ? s.size : undefined),
    () => undefined,
  );
  if (size === undefined)
    throw new InvalidInputError(`${file} is not a file that can be read`, {
      hint: 'Name the .ova file VirtualBox or VMware exported.',
    });
  return {
    stream: createReadStream(file, { highWaterMark: BUNDLE_CHUNK, ...(signal ? { signal } : {}) }),
    size,
  };
}

export async function importOva(
  lv: Libvirt,
  file: string | OvaStream,
  host: ModelHostFacts,
  opts: ImportOvaOptions = {},
): Promise<ImportedOva> {
  if (!isLocal(parseUri(lv.requestedUri)))
    throw new OvaUnsupportedError(
      'vm import-ova imports into a libvirt on this machine only for now',
      'Import it here, then move it: phyllo vm move NAME --to URI.',
    );
  const input = typeof file === 'string' ? await ovaFile(file, opts.signal) : file;
  const size = input.size;
  const undo = new UndoList();
  let dir = '';
  try {
    const target = await targetPool(lv, opts.pool, undo);
    dir = target.dir;
    await sweepDeadImports([dir]);
    const tag = `${PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`;
    const vmdk = join(dir, `${tag}-disk.vmdk`);
    let plan: OvaPlan | undefined;
    let name = '';
    let finalDisk = '';
    const report = (phase: string, done: number, total: number) => opts.progress?.(phase, done, total);
    const contents = await readOva(
      counted(input.stream, (n) => report('reading the OVA', n, size ?? 0)),
      {
        undo,
        ...(opts.signal ? { signal: opts.signal } : {}),
        async descriptor(text) {
          const d = parseOvf(text);
          plan = mapOvf(d, opts.os === undefined ? {} : { os: opts.os });
          resolveGuestOs(plan.os.id); // an --os nobody knows fails here, with the catalog's hint
          name = opts.name ?? vmNameFrom(plan.sourceName);
          validateName(name);
          if (await domainExists(lv, name)) throw new VmExistsError(name);
          finalDisk = join(dir, `${name}.qcow2`);
          if (
            await stat(finalDisk).then(
              () => true,
              () => false,
            )
          )
            throw diskThere(finalDisk);
          await target.pool.refresh();
          const free = Number((await target.pool.info()).available);
          if (size !== undefined && size > free)
            throw new ImportNoRoomError(dir, `the OVA's ${size} bytes do not fit in ${free} free bytes`);
          return {
            references: d.files.map((f) => ({
              href: f.href,
              ...(f.size === undefined ? {} : { size: f.size }),
            })),
            diskHref: plan.disk.href,
            diskPath: vmdk,
          };
        },
      },
    );
    const p = plan!;
    const header = checkVmdkHeader(await readHead(vmdk), p.disk.href);
    const { virtualSize } = await inspectVmdk(vmdk, p.disk.href, opts.signal);
    if (Math.max(header.capacityBytes, virtualSize) < p.disk.capacityBytes)
      throw new OvaInvalidError(
        `Its disk ${p.disk.href} holds ${virtualSize} bytes; its OVF says the disk has ${p.disk.capacityBytes}`,
      );
    const qcow2 = join(dir, `${tag}-${name}.qcow2`);
    undo.push(`wrote ${qcow2}`, () => rm(qcow2, { force: true }));
    report('converting the disk', 0, virtualSize);
    await convertToQcow2(vmdk, qcow2, p.disk.href, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      progress: (pct) => report('converting the disk', Math.round((virtualSize * pct) / 100), virtualSize),
    });
    opts.signal?.throwIfAborted();
    await rm(vmdk, { force: true });
    await placeFile(qcow2, finalDisk).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw diskThere(finalDisk);
      throw err;
    });
    undo.push(`put the disk at ${finalDisk}`, () =>
      rm(finalDisk, { force: true }).then(() => target.pool.refresh()),
    );
    await target.pool.refresh();

    // The OVF's memory and vCPUs, raised to what the profile needs at least (said as a change).
    const guest = resolveGuestOs(p.os.id);
    const memoryMiB = Math.max(p.memoryMiB ?? guest.recommended.memoryMiB, guest.minimum.memoryMiB);
    const vcpus = Math.max(p.vcpus, guest.minimum.vcpus);
    const mac = opts.name === undefined ? p.nic?.mac : undefined;
    opts.signal?.throwIfAborted();
    const created = await createVm(
      lv,
      modelOptionsFromFlags(
        { memory: `${memoryMiB}M`, vcpus: String(vcpus), 'disk-image': finalDisk, firmware: p.firmware },
        name,
        p.os.id,
      ),
      host,
      {
        ...opts.deps,
        ownsDiskImage: true,
        ...(mac ? { identity: { uuid: randomUUID(), macs: [mac] } } : {}),
      },
    );
    const dom = await lv.domains.lookup(created.uuid);
    undo.push(`defined the VM ${name}`, () => dom.undefine());
    const facts = describeChanges(p, created.xml, {
      name,
      memoryMiB,
      vcpus,
      guestName: guest.name,
      macKept: mac !== undefined,
    });
    const warnings = [...created.warnings];
    if (!contents.manifest)
      warnings.push("The OVA has no manifest (.mf): its files' integrity could not be checked");
    if (contents.certificate)
      warnings.push(
        `The OVA is signed (${contents.certificate}); the signature was not checked, the manifest was`,
      );
    return {
      name,
      uuid: created.uuid,
      disk: finalDisk,
      source: { vendor: p.vendor, name: p.sourceName, os: p.os.declared },
      os: { id: p.os.id, reason: p.os.reason },
      memoryMiB,
      vcpus,
      firmware: facts.firmware,
      secureBoot: facts.secureBoot,
      tpm: facts.tpm,
      manifestChecked: contents.manifest,
      changes: facts.changes,
      notCarried: p.notCarried,
      decisions: created.decisions,
      warnings,
    };
  } catch (err) {
    await undo.run();
    throw isNoSpace(err) && !(err instanceof PhyllomeError)
      ? new ImportNoRoomError(
          dir || 'the storage pool',
          'the file system filled up while it was written',
          err,
        )
      : err;
  }
}
