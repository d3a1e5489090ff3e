/**
 * qcow2 chains: which images a VM's disks stand on, recorded in our metadata
 * (`<phyllome:vm>` in https://phyllo.me/xmlns/vm/1.0; format in docs/disk-chains.md), and how a
 * frozen image gets a fresh overlay through libvirt's storage API (so it works on remote hosts too).
 */
import { basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isNotFound, type Libvirt, type StorageVolume } from '../libvirt/index.js';
import { PHYLLOME_NS } from '../model/domain-xml/build-domain.js';
import { child, childrenNamed, el, type XmlNode } from '../xml/node.js';
import { escapeXml } from '../xml/serialize.js';
import { formatXml } from './volume-xml.js';

/** One image below a disk's current image: `owned` = Phyllome made it (else the user brought it). */
export interface ChainLayer {
  path: string;
  owned: boolean;
  /** The UUID of the VM whose current image it was until `vm clone` froze it (its linked clones stand on it). */
  from?: string;
}

/** A disk of the VM and the read-only images it stands on, nearest first. */
export interface DiskChain {
  target: string;
  path: string;
  /** Whether Phyllome made the current image (false for an image the user brought with --disk-image). */
  owned: boolean;
  bases: ChainLayer[];
}

/** A snapshot: per disk the image frozen at that moment (and what it stands on), plus NVRAM/TPM copies. */
export interface SnapshotRecord {
  name: string;
  created: string;
  /** The directory holding the NVRAM and TPM copies. */
  dir: string;
  disks: { target: string; image: ChainLayer; bases: ChainLayer[] }[];
  /** The copy of the UEFI variable store, when the VM had one. */
  nvram?: string;
  /** The copy of the TPM state directory (`tpm2`), when the VM had one. */
  tpm?: string;
}

export interface ChainMetadata {
  disks: DiskChain[];
  snapshots: SnapshotRecord[];
}

/** A disk of the domain XML that holds data: a writable file or block image (no CD-ROM, no shared disk). */
export interface DataDisk {
  target: string;
  path: string;
  format: string;
  node: XmlNode;
}

export function dataDisks(domain: XmlNode): DataDisk[] {
  const out: DataDisk[] = [];
  for (const d of childrenNamed(child(domain, 'devices'), 'disk')) {
    if ((d.attrs.device ?? 'disk') !== 'disk') continue;
    if (child(d, 'readonly') || child(d, 'shareable')) continue;
    const src = child(d, 'source');
    const path = src?.attrs.file ?? src?.attrs.dev;
    const target = child(d, 'target')?.attrs.dev;
    if (!path || !target) continue;
    out.push({ target, path, format: child(d, 'driver')?.attrs.type ?? 'raw', node: d });
  }
  return out;
}

/** Points a disk of the domain XML at a new image (qcow2 unless told) (its backing chain is probed by libvirt). */
export function pointDiskAt(disk: XmlNode, path: string, format = 'qcow2'): void {
  const src = child(disk, 'source');
  if (src) {
    delete src.attrs.dev;
    src.attrs.file = path;
  }
  disk.attrs.type = 'file';
  const driver = child(disk, 'driver');
  if (driver) driver.attrs.type = format;
  else disk.children.unshift(el('driver', { name: 'qemu', type: format }));
  disk.children = disk.children.filter((c) => c.name !== 'backingStore');
}

function ourElement(domain: XmlNode, create: boolean): XmlNode | undefined {
  let meta = child(domain, 'metadata');
  if (!meta) {
    if (!create) return undefined;
    meta = el('metadata');
    domain.children.splice(Math.min(3, domain.children.length), 0, meta);
  }
  const found = meta.children.find(
    (c) => c.name.split(':').pop() === 'vm' && Object.values(c.attrs).includes(PHYLLOME_NS),
  );
  if (found || !create) return found;
  const made = el('phyllome:vm', { 'xmlns:phyllome': PHYLLOME_NS });
  meta.children.push(made);
  return made;
}

function prefixOf(node: XmlNode): string {
  return node.name.includes(':') ? node.name.split(':')[0] + ':' : '';
}

function layer(node: XmlNode): ChainLayer {
  const from = node.attrs.from;
  return { path: node.attrs.path ?? '', owned: node.attrs.owned !== 'no', ...(from ? { from } : {}) };
}

/** The VM options `vm create` recorded (`disk-image` and the like); empty for a VM made elsewhere. */
export function recordedOptions(domain: XmlNode): Record<string, string> {
  const vm = ourElement(domain, false);
  if (!vm) return {};
  const p = prefixOf(vm);
  return Object.fromEntries(
    childrenNamed(child(vm, `${p}options`), `${p}option`).map((o) => [o.attrs.name ?? '', o.text ?? '']),
  );
}

/** Reads the chains and snapshots from the domain XML; a disk without a record stands on nothing we know. */
export function readChains(domain: XmlNode): ChainMetadata {
  const vm = ourElement(domain, false);
  const userImage = recordedOptions(domain)['disk-image'];
  const p = vm ? prefixOf(vm) : '';
  const recorded = new Map<string, DiskChain>();
  for (const d of childrenNamed(child(vm, `${p}disks`), `${p}disk`)) {
    recorded.set(d.attrs.target ?? '', {
      target: d.attrs.target ?? '',
      path: d.attrs.path ?? '',
      owned: d.attrs.owned !== 'no',
      bases: childrenNamed(d, `${p}base`).map(layer),
    });
  }
  const disks = dataDisks(domain).map((d) => {
    const r = recorded.get(d.target);
    if (r && r.path === d.path) return r;
    return { target: d.target, path: d.path, owned: d.path !== userImage, bases: [] };
  });
  const snapshots = childrenNamed(child(vm, `${p}snapshots`), `${p}snapshot`).map((s) => ({
    name: s.attrs.name ?? '',
    created: s.attrs.created ?? '',
    dir: s.attrs.dir ?? '',
    disks: childrenNamed(s, `${p}disk`).map((d) => ({
      target: d.attrs.target ?? '',
      image: { path: d.attrs.image ?? '', owned: d.attrs.owned !== 'no' },
      bases: childrenNamed(d, `${p}base`).map(layer),
    })),
    ...(child(s, `${p}nvram`)?.attrs.path ? { nvram: child(s, `${p}nvram`)!.attrs.path! } : {}),
    ...(child(s, `${p}tpm`)?.attrs.path ? { tpm: child(s, `${p}tpm`)!.attrs.path! } : {}),
  }));
  return { disks, snapshots };
}

const ownedAttr = (owned: boolean) => (owned ? undefined : 'no');

/** Writes the chains and snapshots into the domain XML (creating our metadata element when needed). */
export function writeChains(domain: XmlNode, meta: ChainMetadata): void {
  const vm = ourElement(domain, true)!;
  const p = prefixOf(vm);
  vm.children = vm.children.filter((c) => c.name !== `${p}disks` && c.name !== `${p}snapshots`);
  const base = (b: ChainLayer) => el(`${p}base`, { path: b.path, owned: ownedAttr(b.owned), from: b.from });
  // Recorded when readChains would guess wrong without it: bases, an image the user brought, or the
  // image the options name as brought (--disk-image) that is ours after all (an imported bundle's).
  const userImage = recordedOptions(domain)['disk-image'];
  if (meta.disks.some((d) => d.bases.length > 0 || d.owned !== (d.path !== userImage)))
    vm.children.push(
      el(
        `${p}disks`,
        {},
        meta.disks.map((d) =>
          el(`${p}disk`, { target: d.target, path: d.path, owned: ownedAttr(d.owned) }, d.bases.map(base)),
        ),
      ),
    );
  if (meta.snapshots.length)
    vm.children.push(
      el(
        `${p}snapshots`,
        {},
        meta.snapshots.map((s) =>
          el(`${p}snapshot`, { name: s.name, created: s.created, dir: s.dir }, [
            ...s.disks.map((d) =>
              el(
                `${p}disk`,
                { target: d.target, image: d.image.path, owned: ownedAttr(d.image.owned) },
                d.bases.map(base),
              ),
            ),
            s.nvram !== undefined && el(`${p}nvram`, { path: s.nvram }),
            s.tpm !== undefined && el(`${p}tpm`, { path: s.tpm }),
          ]),
        ),
      ),
    );
}

/**
 * Files outside the disks that are the VM's own and go when it is deleted: an imported bundle's
 * kernel and initrd (`<phyllome:files><phyllome:file path=…/></phyllome:files>`).
 */
export function ownedFiles(domain: XmlNode): string[] {
  const vm = ourElement(domain, false);
  const p = vm ? prefixOf(vm) : '';
  return childrenNamed(child(vm, `${p}files`), `${p}file`)
    .map((f) => f.attrs.path ?? '')
    .filter((path) => path !== '');
}

export function writeOwnedFiles(domain: XmlNode, paths: string[]): void {
  const vm = ourElement(domain, true)!;
  const p = prefixOf(vm);
  vm.children = vm.children.filter((c) => c.name !== `${p}files`);
  if (paths.length)
    vm.children.push(
      el(
        `${p}files`,
        {},
        paths.map((path) => el(`${p}file`, { path })),
      ),
    );
}

/** Every image the VM's metadata says it needs: current images, their bases, snapshot images. */
export function imagesNeeded(meta: ChainMetadata): ChainLayer[] {
  const out = new Map<string, ChainLayer>();
  const add = (l: ChainLayer) => {
    if (!out.has(l.path)) out.set(l.path, l);
  };
  for (const d of meta.disks) {
    add({ path: d.path, owned: d.owned });
    d.bases.forEach(add);
  }
  for (const s of meta.snapshots)
    for (const d of s.disks) {
      add(d.image);
      d.bases.forEach(add);
    }
  return [...out.values()];
}

/** A short random suffix for image names. */
export function shortId(): string {
  return randomBytes(3).toString('hex');
}

/**
 * A new qcow2 overlay named `name` in the pool holding `base`, with `base` as its backing file:
 * created through libvirt's storage API, so the cost is a header, whatever the disk's size.
 */
export async function createOverlay(lv: Libvirt, base: string, name: string): Promise<StorageVolume> {
  const vol = await lv.volumes.lookupByPath(base);
  const [pool, info, xml] = await Promise.all([lv.pools.lookup(vol.poolName), vol.info(), vol.xml()]);
  const format = /<target>[\s\S]*?<format type=['"]([^'"]+)['"]/.exec(xml)?.[1] ?? 'raw';
  return pool.volumes.create(`<volume type='file'>
  <name>${escapeXml(name)}</name>
  <capacity unit='bytes'>${info.capacity}</capacity>
  <target>${formatXml('qcow2')}</target>
  <backingStore><path>${escapeXml(base)}</path><format type='${escapeXml(format)}'/></backingStore>
</volume>`);
}

/** An overlay name for `vm`'s disk `target` beside `base`, e.g. `web-vda-3fa9c1.qcow2`. */
export function overlayName(vm: string, target: string): string {
  return `${vm}-${target}-${shortId()}.qcow2`;
}

/** The image `path` stands on, as libvirt's storage API reports it; undefined when none or unknown. */
export async function backingOf(lv: Libvirt, path: string): Promise<string | undefined> {
  try {
    const xml = await (await lv.volumes.lookupByPath(path)).xml();
    return /<backingStore>\s*<path>([^<]+)<\/path>/.exec(xml)?.[1];
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The whole chain below `path` as the images themselves say (at most 32 deep). */
export async function backingChain(lv: Libvirt, path: string): Promise<string[]> {
  const out: string[] = [];
  let at: string | undefined = path;
  while (at && out.length < 32) {
    at = await backingOf(lv, at);
    if (at) out.push(at);
  }
  return out;
}

/** Deletes the volume at `path` through libvirt; false when no storage pool holds it. */
export async function deleteImage(lv: Libvirt, path: string): Promise<boolean> {
  try {
    await (await lv.volumes.lookupByPath(path)).delete();
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export function fileName(path: string): string {
  return basename(path);
}

/** The format libvirt reports for the image at `path` (qcow2, raw); raw when it cannot tell. */
export async function formatOf(lv: Libvirt, path: string): Promise<string> {
  const xml = await (await lv.volumes.lookupByPath(path)).xml();
  return /<target>[\s\S]*?<format type=['"]([^'"]+)['"]/.exec(xml)?.[1] ?? 'raw';
}
