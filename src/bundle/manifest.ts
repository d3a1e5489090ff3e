/**
 * The bundle's first entry (docs/bundle-format.md): what the bundle holds, each entry's size and
 * SHA-256, the VM's model inputs and the source host's facts. Parsed strictly (a bundle may come from
 * anyone), and written space-padded to a fixed size so an export can write it first and rewrite it in
 * place when the checksums are known.
 */
import { validateName } from '../model/options.js';
import { BundleInvalidError } from './errors.js';
import { nameProblem } from './tar-name.js';

export const BUNDLE_FORMAT = 'phyllome-bundle';
export const BUNDLE_FORMAT_VERSION = 1;
export const MANIFEST_PATH = 'manifest.json';
/** At most this many entries after the manifest (disks, NVRAM, TPM files). */
export const MAX_ENTRIES = 64;
/** The manifest entry's data is a multiple of a tar block, at most this. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

/** `boot`: a direct kernel boot's kernel and initrd, which the VM cannot start without. */
export type EntryKind = 'domain' | 'disk' | 'nvram' | 'tpm' | 'boot';

export interface BundleEntry {
  path: string;
  kind: EntryKind;
  /** Stored bytes (a disk: its sparse map's text and data segments). */
  size: number;
  /** Hex SHA-256 of the stored bytes (a disk: map text, then segments). */
  sha256: string;
  /** Disks: the target (`vda`). */
  target?: string;
  /** Disks: the virtual size. */
  realSize?: number;
}

/** The VM as the model's inputs name it (also what domain.xml says of it, with more). */
export interface BundleVm {
  name: string;
  uuid: string;
  profile: string;
  os: string;
  modelVersion: number;
  /** The model's options as `<phyllome:options>` holds them, none naming a host file. */
  options: Record<string, string>;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  formatVersion: typeof BUNDLE_FORMAT_VERSION;
  phyllomeVersion: string;
  createdAt: string;
  vm: BundleVm;
  /** Facts about the exporting host, for the import to say what changed. */
  source: Record<string, string>;
  entries: BundleEntry[];
}

/**
 * Options (as the VM's metadata records them: flag names) that name a file of the source host: never
 * in a bundle (docs/bundle-format.md). A direct kernel boot's kernel and initrd travel as `boot`
 * entries instead. `session` is not carried either: the importing connection decides it.
 */
export const HOST_PATH_OPTIONS: readonly string[] = [
  'iso',
  'drivers',
  'kernel',
  'initrd',
  'disk-image',
  'serial-log',
];

const SHA256 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TARGET = /^[sv]d[a-z]{1,2}$/;
const WORD = /^[A-Za-z0-9._+-]{1,64}$/;
/** Where each kind of entry lives. */
const PLACE: Record<EntryKind, RegExp> = {
  domain: /^domain\.xml$/,
  disk: /^disks\/[sv]d[a-z]{1,2}\.raw$/,
  nvram: /^nvram\/VARS\.fd$/,
  tpm: /^tpm\//,
  boot: /^boot\/(kernel|initrd)$/,
};

const bad = (field: string, why: string) => new BundleInvalidError(`Its manifest's ${field} ${why}`);

function object(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(field, 'is not an object');
  return v as Record<string, unknown>;
}

function only(o: Record<string, unknown>, field: string, keys: readonly string[]): void {
  const extra = Object.keys(o).find((k) => !keys.includes(k));
  if (extra !== undefined) throw bad(field, `has a field it may not have: ${JSON.stringify(extra)}`);
}

function text(v: unknown, field: string, re?: RegExp): string {
  if (typeof v !== 'string') throw bad(field, 'is not a string');
  if (re && !re.test(v)) throw bad(field, `is not allowed: ${JSON.stringify(v.slice(0, 80))}`);
  return v;
}

function count(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw bad(field, 'is not a whole number of bytes');
  return v;
}

/** At most this many options or source facts. */
const MAX_FIELDS = 32;

function strings(v: unknown, field: string): Record<string, string> {
  const o = object(v, field);
  if (Object.keys(o).length > MAX_FIELDS) throw bad(field, `has more than ${MAX_FIELDS} fields`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) {
    if (!WORD.test(k)) throw bad(field, `has a field it may not have: ${JSON.stringify(k.slice(0, 80))}`);
    // eslint-disable-next-line no-control-regex
    out[k] = text(x, `${field}.${k}`, /^[^<>&"'\u0000-\u001f\u007f]{0,256}$/);
  }
  return out;
}

function entry(v: unknown, i: number): BundleEntry {
  const field = `entries[${i}]`;
  const o = object(v, field);
  const kind = text(o['kind'], `${field}.kind`, /^(domain|disk|nvram|tpm|boot)$/) as EntryKind;
  only(
    o,
    field,
    kind === 'disk'
      ? ['path', 'kind', 'size', 'sha256', 'target', 'realSize']
      : ['path', 'kind', 'size', 'sha256'],
  );
  const path = text(o['path'], `${field}.path`);
  const problem = nameProblem(path);
  if (problem) throw bad(`${field}.path`, `${JSON.stringify(path.slice(0, 80))} is not allowed: ${problem}`);
  if (!PLACE[kind].test(path))
    throw bad(`${field}.path`, `${JSON.stringify(path)} is not where a ${kind} entry goes`);
  const e: BundleEntry = {
    path,
    kind,
    size: count(o['size'], `${field}.size`),
    sha256: text(o['sha256'], `${field}.sha256`, SHA256),
  };
  if (kind === 'disk') {
    e.target = text(o['target'], `${field}.target`, TARGET);
    if (path !== `disks/${e.target}.raw`) throw bad(`${field}.path`, `does not match its target ${e.target}`);
    e.realSize = count(o['realSize'], `${field}.realSize`);
  }
  return e;
}

/** The manifest from its entry's text; throws BundleInvalidError naming the first thing wrong. */
export function parseManifest(json: string): BundleManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new BundleInvalidError('Its manifest is not valid JSON', { cause: err });
  }
  const o = object(raw, 'top level');
  if (o['format'] !== BUNDLE_FORMAT)
    throw new BundleInvalidError(
      `It is not a Phyllome bundle (its manifest's format is ${JSON.stringify(o['format'])})`,
    );
  if (o['formatVersion'] !== BUNDLE_FORMAT_VERSION)
    throw new BundleInvalidError(
      `Its format version is ${JSON.stringify(o['formatVersion'])}; this Phyllome reads version ${BUNDLE_FORMAT_VERSION}: a newer Phyllome made it, so import it with that one (or update)`,
    );
  only(o, 'top level', [
    'format',
    'formatVersion',
    'phyllomeVersion',
    'createdAt',
    'vm',
    'source',
    'entries',
  ]);
  const vm = object(o['vm'], 'vm');
  only(vm, 'vm', ['name', 'uuid', 'profile', 'os', 'modelVersion', 'options']);
  const name = text(vm['name'], 'vm.name');
  try {
    validateName(name);
  } catch (err) {
    throw new BundleInvalidError(`Its manifest's vm.name is not a VM name: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const options = strings(vm['options'], 'vm.options');
  const hostPath = HOST_PATH_OPTIONS.find((k) => k in options);
  if (hostPath) throw bad('vm.options', `names a file of the host it came from (${hostPath})`);
  const modelVersion = vm['modelVersion'];
  if (typeof modelVersion !== 'number' || !Number.isSafeInteger(modelVersion) || modelVersion < 1)
    throw bad('vm.modelVersion', 'is not a version number');
  const list = o['entries'];
  if (!Array.isArray(list)) throw bad('entries', 'is not a list');
  if (list.length > MAX_ENTRIES)
    throw bad('entries', `lists ${list.length} entries; at most ${MAX_ENTRIES} are allowed`);
  const entries = list.map(entry);
  const seen = new Set<string>([MANIFEST_PATH]);
  for (const e of entries) {
    if (seen.has(e.path)) throw bad('entries', `lists ${e.path} twice`);
    seen.add(e.path);
  }
  // Read into memory on import: a description is a few kB.
  const domain = entries.find((e) => e.kind === 'domain');
  if (domain && domain.size > MAX_MANIFEST_BYTES)
    throw bad('entries', `give domain.xml ${domain.size} bytes; at most ${MAX_MANIFEST_BYTES} are allowed`);
  if (entries[0]?.kind !== 'domain' || entries.filter((e) => e.kind === 'domain').length !== 1)
    throw bad('entries', 'do not begin with the one domain.xml');
  return {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    phyllomeVersion: text(o['phyllomeVersion'], 'phyllomeVersion', WORD),
    createdAt: text(o['createdAt'], 'createdAt', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
    vm: {
      name,
      uuid: text(vm['uuid'], 'vm.uuid', UUID),
      profile: text(vm['profile'], 'vm.profile', WORD),
      os: text(vm['os'], 'vm.os', WORD),
      modelVersion,
      options,
    },
    source: strings(o['source'], 'source'),
    entries,
  };
}

/**
 * The manifest's entry data: its JSON, then spaces up to `size` (a multiple of 512), so a later
 * rewrite with the checksums takes the same bytes. Throws when it does not fit.
 */
export function manifestBytes(m: BundleManifest, size: number): Buffer {
  if (size % 512 !== 0 || size > MAX_MANIFEST_BYTES)
    throw new RangeError(`manifest size ${size}: not a multiple of 512 up to ${MAX_MANIFEST_BYTES}`);
  const json = Buffer.from(JSON.stringify(m, null, 2) + '\n');
  if (json.length > size)
    throw new RangeError(`the manifest takes ${json.length} bytes, more than the ${size} reserved`);
  const out = Buffer.alloc(size, 0x20);
  json.copy(out);
  return out;
}

/**
 * The bytes to reserve for `m`'s entry before its sizes and checksums are known: its length with every
 * size at the largest number a manifest can hold and every checksum in place, rounded up to 512.
 */
export function manifestReserve(m: BundleManifest): number {
  const widest: BundleManifest = {
    ...m,
    entries: m.entries.map((e) => ({
      ...e,
      size: Number.MAX_SAFE_INTEGER,
      sha256: '0'.repeat(64),
      ...(e.kind === 'disk' ? { realSize: Number.MAX_SAFE_INTEGER } : {}),
    })),
  };
  const bytes = Buffer.byteLength(JSON.stringify(widest, null, 2) + '\n');
  return Math.ceil(bytes / 512) * 512;
}
