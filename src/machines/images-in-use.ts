/**
 * What the domains of a host need of its disk images, read through libvirt (so a remote host's too):
 * the one reader behind "does another VM still use this image?" (`vm delete`, snapshot clean-up) and
 * "which VMs stand on this one's images?" (`vm info`'s linked clones).
 */
import { DomainXmlFlags, isNotFound, type Domain, type Libvirt } from '../libvirt/index.js';
import { child, childrenNamed, type XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { backingChain, readChains, type ChainLayer, type ChainMetadata } from './disk-chain.js';
import { xmlBackingChain } from './image-chain.js';

/** An image a domain stands on; `from` where our records say which VM it was frozen from. */
export type UnderImage = Pick<ChainLayer, 'path' | 'from'>;

export interface DomainImages {
  name: string;
  uuid: string;
  /** Its disks' current images: every disk of its definition (CD-ROMs and shared disks too) and of its live XML. */
  disks: string[];
  /**
   * What those stand on: the bases and snapshot images in our records, the chains in a running domain's
   * live XML (`<backingStore>`) and the ones libvirt's storage pools report, nearest first per source.
   */
  under: UnderImage[];
}

/**
 * Pure: the images a domain's XML names: its definition (with our chain records) and, while it runs, its
 * live XML, where libvirt lists each disk's backing chain.
 */
export function imagesOfXml(name: string, uuid: string, definition: XmlNode, live?: XmlNode): DomainImages {
  const disks = new Set<string>();
  const under = new Map<string, UnderImage>();
  const add = (l: UnderImage) => {
    if (!under.get(l.path)?.from)
      under.set(l.path, l.from ? { path: l.path, from: l.from } : { path: l.path });
  };
  for (const tree of live ? [definition, live] : [definition])
    for (const disk of childrenNamed(child(tree, 'devices'), 'disk')) {
      const [top, ...below] = xmlBackingChain(disk);
      if (top) disks.add(top.path);
      for (const b of below) add(b);
    }
  const meta = readChains(definition);
  for (const d of meta.disks) d.bases.forEach(add);
  for (const s of meta.snapshots)
    for (const d of s.disks) {
      add(d.image);
      d.bases.forEach(add);
    }
  return { name, uuid, disks: [...disks], under: [...under.values()].filter((u) => !disks.has(u.path)) };
}

async function domainImages(lv: Libvirt, d: Domain): Promise<DomainImages | undefined> {
  let found: DomainImages;
  try {
    const definition = parseXml(await d.xml(DomainXmlFlags.INACTIVE));
    const live = d.id === -1 ? undefined : parseXml(await d.xml(0));
    found = imagesOfXml(d.name, d.uuid, definition, live);
  } catch (err) {
    if (isNotFound(err)) return undefined; // deleted meanwhile
    throw err;
  }
  // What each image stands on as libvirt's storage pools see it (an image no pool holds: nothing).
  const known = new Set([...found.disks, ...found.under.map((u) => u.path)]);
  for (const chain of await Promise.all([...known].map((p) => backingChain(lv, p))))
    for (const path of chain)
      if (!known.has(path)) {
        known.add(path);
        found.under.push({ path });
      }
  return found;
}

/** Every domain on the host (but the one with the UUID `except`) and the images it needs. */
export async function hostImages(lv: Libvirt, except?: string): Promise<DomainImages[]> {
  const domains = (await lv.domains.list()).filter((d) => d.uuid !== except);
  const read = await Promise.all(domains.map((d) => domainImages(lv, d)));
  return read.filter((r): r is DomainImages => r !== undefined);
}

/** Every image some other domain on the host needs, with that domain's name: disks, their chains, our records. */
export async function imagesInUse(lv: Libvirt, self: string): Promise<Map<string, string>> {
  const used = new Map<string, string>();
  for (const d of await hostImages(lv, self))
    for (const path of [...d.disks, ...d.under.map((u) => u.path)])
      if (!used.has(path)) used.set(path, d.name);
  return used;
}

/**
 * A VM's own images, by its records: its disks' current images, the images its snapshots froze, and the
 * bases recorded as frozen from it (`from`, written by `vm clone`).
 */
export function ownImages(uuid: string, meta: ChainMetadata): Set<string> {
  const own = new Set(meta.disks.map((d) => d.path));
  for (const s of meta.snapshots) for (const d of s.disks) own.add(d.image.path);
  const layers = [
    ...meta.disks.flatMap((d) => d.bases),
    ...meta.snapshots.flatMap((s) => s.disks.flatMap((d) => d.bases)),
  ];
  for (const l of layers) if (l.from === uuid) own.add(l.path);
  return own;
}

/**
 * Pure: the other VMs that depend on the VM `uuid` (its linked clones, and theirs): the ones standing on
 * one of its `own` images or on an image recorded as frozen from it. A VM that uses the same image as its
 * disk (a shared disk) does not stand on it, and two clones of one source do not depend on each other.
 */
export function dependentsOf(uuid: string, own: Set<string>, others: DomainImages[]): string[] {
  return others
    .filter((o) => o.uuid !== uuid && o.under.some((u) => u.from === uuid || own.has(u.path)))
    .map((o) => o.name);
}
