import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { child, childrenNamed, textOf, type XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { mediaRulesOf, type MediaRule } from './osinfo-media.js';

export const DEFAULT_OSINFO_ROOT = '/usr/share/osinfo';

export interface OsinfoResources {
  ramBytes?: number;
  cpus?: number;
  storageBytes?: number;
}

/** One OS from osinfo-db with its `derives-from` chain already applied. */
export interface OsinfoOs {
  id: string;
  shortId: string;
  name: string;
  family: string;
  distro?: string;
  version?: string;
  releaseDate?: string;
  eolDate?: string;
  /** PCI ids as `vendor:device` (lower-case hex) the OS has drivers for. */
  pciDevices: string[];
  /** Firmware types osinfo lists for x86_64: true supported, false explicitly unsupported. */
  firmware: { efi?: boolean; bios?: boolean };
  minimum: OsinfoResources;
  recommended: OsinfoResources;
}

interface RawOs {
  id: string;
  shortIds: string[];
  name: string;
  family?: string;
  distro?: string;
  version?: string;
  releaseDate?: string;
  eolDate?: string;
  derivesFrom?: string;
  devices: Map<string, boolean>;
  firmware: { efi?: boolean; bios?: boolean };
  resources?: { minimum: OsinfoResources; recommended: OsinfoResources };
}

const PCI_PREFIX = 'http://pcisig.com/pci/';
const ARCHES = ['x86_64', 'all'];

function resourcesOf(node: XmlNode | undefined): OsinfoResources {
  const r: OsinfoResources = {};
  const num = (name: string): number | undefined => {
    const t = textOf(node, name);
    return t === undefined ? undefined : Number(t);
  };
  const ram = num('ram');
  const cpus = num('n-cpus');
  const storage = num('storage');
  if (ram) r.ramBytes = ram;
  if (cpus) r.cpus = cpus;
  if (storage) r.storageBytes = storage;
  return r;
}

function readRaw(osNode: XmlNode): RawOs {
  const raw: RawOs = {
    id: osNode.attrs.id ?? '',
    shortIds: childrenNamed(osNode, 'short-id').map((s) => s.text ?? ''),
    name: childrenNamed(osNode, 'name').find((n) => !n.attrs['xml:lang'])?.text ?? '',
    family: textOf(osNode, 'family'),
    distro: textOf(osNode, 'distro'),
    version: textOf(osNode, 'version'),
    releaseDate: textOf(osNode, 'release-date'),
    eolDate: textOf(osNode, 'eol-date'),
    derivesFrom: child(osNode, 'derives-from')?.attrs.id,
    devices: new Map(),
    firmware: {},
  };
  for (const d of childrenNamed(child(osNode, 'devices'), 'device')) {
    const id = d.attrs.id ?? '';
    if (id.startsWith(PCI_PREFIX))
      raw.devices.set(id.slice(PCI_PREFIX.length).replace('/', ':'), d.attrs.supported !== 'false');
  }
  for (const f of childrenNamed(osNode, 'firmware')) {
    if (f.attrs.arch && f.attrs.arch !== 'x86_64') continue;
    const type = f.attrs.type;
    if (type === 'efi' || type === 'bios') raw.firmware[type] = f.attrs.supported !== 'false';
  }
  const res = childrenNamed(osNode, 'resources').find((r) => ARCHES.includes(r.attrs.arch ?? 'all'));
  if (res && res.attrs.inherit !== 'true')
    raw.resources = {
      minimum: resourcesOf(child(res, 'minimum')),
      recommended: resourcesOf(child(res, 'recommended')),
    };
  return raw;
}

/** Candidate file names for a short id: `win11` → `win-11.xml`, `ubuntu22.04` → `ubuntu-22.04.xml`. */
export function candidateFileNames(shortId: string): string[] {
  const m = /^(.*?[a-z])(\d.*)$/.exec(shortId);
  const names = new Set<string>();
  if (m) names.add(`${m[1]}-${m[2]}.xml`);
  names.add(`${shortId}.xml`);
  return [...names];
}

/** The file an osinfo id URL usually lives in: `http://microsoft.com/win/10` → `microsoft.com/win-10.xml`. */
export function fileForOsId(id: string): string | undefined {
  const m = /^https?:\/\/([^/]+)\/(.+)$/.exec(id);
  if (!m) return undefined;
  return join(m[1] as string, `${(m[2] as string).replace(/\//g, '-')}.xml`);
}

/**
 * A lazy reader of osinfo-db: looking one OS up reads only its file and its ancestors' files
 * (found by file-name convention, with a scan of the short-id tags as the fallback).
 */
export class OsinfoDb {
  private readonly rawById = new Map<string, RawOs>();
  private readonly mediaByFile = new Map<string, MediaRule[]>();
  private vendorDirs: string[] | undefined;

  constructor(readonly root: string = DEFAULT_OSINFO_ROOT) {}

  private osDir(): string {
    return join(this.root, 'os');
  }

  private vendors(): string[] {
    if (!this.vendorDirs) {
      try {
        this.vendorDirs = readdirSync(this.osDir()).sort();
      } catch {
        this.vendorDirs = [];
      }
    }
    return this.vendorDirs;
  }

  /** Whether the database is installed at all. */
  available(): boolean {
    return this.vendors().length > 0;
  }

  private readFile(rel: string): RawOs[] {
    let text: string;
    try {
      text = readFileSync(join(this.osDir(), rel), 'utf8');
    } catch {
      return [];
    }
    const root = parseXml(text, `osinfo file ${rel}`);
    const nodes = childrenNamed(root, 'os');
    const list = nodes.map(readRaw);
    for (const r of list) this.rawById.set(r.id, r);
    this.mediaByFile.set(
      rel,
      nodes.flatMap((node, i) => {
        const r = list[i] as RawOs;
        return mediaRulesOf(node, {
          shortId: r.shortIds[0] ?? '',
          name: r.name,
          ...(r.releaseDate ? { releaseDate: r.releaseDate } : {}),
        });
      }),
    );
    return list;
  }

  private findByShortId(shortId: string): RawOs | undefined {
    for (const r of this.rawById.values()) if (r.shortIds.includes(shortId)) return r;
    for (const vendor of this.vendors())
      for (const name of candidateFileNames(shortId)) {
        const hit = this.readFile(join(vendor, name)).find((r) => r.shortIds.includes(shortId));
        if (hit) return hit;
      }
    const needle = `<short-id>${shortId}</short-id>`;
    for (const rel of this.allFiles()) {
      let text: string;
      try {
        text = readFileSync(join(this.osDir(), rel), 'utf8');
      } catch {
        continue;
      }
      if (text.includes(needle)) return this.readFile(rel).find((r) => r.shortIds.includes(shortId));
    }
    return undefined;
  }

  private findById(id: string): RawOs | undefined {
    const cached = this.rawById.get(id);
    if (cached) return cached;
    const rel = fileForOsId(id);
    if (rel) this.readFile(rel);
    return this.rawById.get(id);
  }

  private allFiles(): string[] {
    const out: string[] = [];
    for (const vendor of this.vendors()) {
      let names: string[];
      try {
        names = readdirSync(join(this.osDir(), vendor));
      } catch {
        continue;
      }
      for (const n of names.sort()) if (n.endsWith('.xml')) out.push(join(vendor, n));
    }
    return out;
  }

  /** Looks an OS up by short id (`win11`, `fedora37`); undefined when osinfo-db does not know it. */
  get(shortId: string): OsinfoOs | undefined {
    const raw = this.findByShortId(shortId);
    return raw ? this.resolve(raw, shortId) : undefined;
  }

  private resolve(raw: RawOs, shortId: string): OsinfoOs {
    const chain: RawOs[] = [raw];
    const seen = new Set([raw.id]);
    let cur = raw;
    while (cur.derivesFrom && !seen.has(cur.derivesFrom)) {
      seen.add(cur.derivesFrom);
      const parent = this.findById(cur.derivesFrom);
      if (!parent) break;
      chain.push(parent);
      cur = parent;
    }
    const devices = new Map<string, boolean>();
    for (const r of [...chain].reverse()) for (const [k, v] of r.devices) devices.set(k, v);
    const firmware =
      chain.find((r) => r.firmware.efi !== undefined || r.firmware.bios !== undefined)?.firmware ?? {};
    const resources = chain.find((r) => r.resources)?.resources ?? { minimum: {}, recommended: {} };
    const first = <K extends keyof RawOs>(k: K): RawOs[K] | undefined =>
      chain.find((r) => r[k] !== undefined)?.[k];
    const os: OsinfoOs = {
      id: raw.id,
      shortId,
      name: raw.name,
      family: (first('family') as string | undefined) ?? 'unknown',
      pciDevices: [...devices]
        .filter(([, ok]) => ok)
        .map(([k]) => k)
        .sort(),
      firmware,
      minimum: resources.minimum,
      recommended: resources.recommended,
    };
    const distro = first('distro') as string | undefined;
    if (distro) os.distro = distro;
    if (raw.version) os.version = raw.version;
    if (raw.releaseDate) os.releaseDate = raw.releaseDate;
    if (raw.eolDate) os.eolDate = raw.eolDate;
    return os;
  }

  /** Every short id with its name and family (reads the whole database: for `os list --all`). */
  list(): { shortId: string; name: string; family: string }[] {
    const out: { shortId: string; name: string; family: string }[] = [];
    for (const rel of this.allFiles())
      for (const r of this.readFile(rel))
        for (const s of r.shortIds) out.push({ shortId: s, name: r.name, family: r.family ?? 'unknown' });
    return out.sort((a, b) => a.shortId.localeCompare(b.shortId));
  }

  /** Every installer medium osinfo-db describes for PC guests (reads the whole database). */
  mediaRules(): MediaRule[] {
    const out: MediaRule[] = [];
    for (const rel of this.allFiles()) {
      if (!this.mediaByFile.has(rel)) this.readFile(rel);
      out.push(...(this.mediaByFile.get(rel) ?? []));
    }
    return out;
  }

  /** Short ids that start like `prefix` (letters only), for "did you mean" hints; reads file names only. */
  similar(shortId: string): string[] {
    const stem = /^[a-z-]+/.exec(shortId)?.[0]?.replace(/-$/, '') ?? shortId;
    const out = this.allFiles()
      .map((rel) => basename(rel, '.xml'))
      .filter((n) => n.startsWith(stem))
      .map((n) => n.replace(/^([a-z-]*?)-(\d)/, '$1$2'));
    return out.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).slice(-5);
  }
}
