import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BundleInvalidError } from './errors.js';
import { manifestBytes, manifestReserve, parseManifest, type BundleManifest } from './manifest.js';

const sha = (c: string) => c.repeat(64);
const good = (): BundleManifest => ({
  format: 'phyllome-bundle',
  formatVersion: 1,
  phyllomeVersion: '0.1.0',
  createdAt: '2026-12-02T19:40:00.000Z',
  vm: {
    name: 'win11',
    uuid: '6f1c6b0e-3c1d-4b8e-9a55-8c2f4f0c9e11',
    profile: 'windows-11',
    os: 'win11',
    modelVersion: 1,
    options: { memory: '4096M', vcpus: '2' },
  },
  source: { arch: 'x86_64', domainType: 'kvm' },
  entries: [
    { path: 'domain.xml', kind: 'domain', size: 1024, sha256: sha('a') },
    { path: 'disks/vda.raw', kind: 'disk', target: 'vda', size: 4096, realSize: 2 ** 34, sha256: sha('b') },
    { path: 'nvram/VARS.fd', kind: 'nvram', size: 540672, sha256: sha('c') },
    { path: 'tpm/tpm2/tpm2-00.permall', kind: 'tpm', size: 9375, sha256: sha('d') },
  ],
});

// The edits write fields of any shape, as a hostile bundle would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

/** parseManifest of `m` changed by `edit` fails with bundle-invalid and a message matching `why`. */
function refused(edit: (m: Loose) => void, why: RegExp) {
  const m = good() as unknown as Loose;
  edit(m);
  assert.throws(
    () => parseManifest(JSON.stringify(m)),
    (e: unknown) => e instanceof BundleInvalidError && e.code === 'bundle-invalid' && why.test(e.message),
  );
}

test('a good manifest reads back as it was written, padding and all', () => {
  const m = good();
  const bytes = manifestBytes(m, manifestReserve(m));
  assert.equal(bytes.length % 512, 0);
  assert.deepEqual(parseManifest(bytes.toString('utf8')), m);
});

test('the reserve holds the manifest whatever its sizes and checksums turn out to be', () => {
  const m = good();
  const reserve = manifestReserve(m);
  const widest = { ...m, entries: m.entries.map((e) => ({ ...e, size: Number.MAX_SAFE_INTEGER })) };
  assert.equal(manifestBytes(widest, reserve).length, reserve);
  assert.throws(() => manifestBytes(widest, reserve - 512), RangeError);
  assert.throws(() => manifestBytes(m, reserve + 1), RangeError, 'not a multiple of 512');
});

test('not JSON, another format, an unknown version', () => {
  assert.throws(() => parseManifest('{'), /not valid JSON/);
  refused((m) => (m.format = 'ova'), /not a Phyllome bundle/);
  refused((m) => (m.formatVersion = 2), /format version is 2; this Phyllome reads version 1/);
});

test('fields that are not there, or not allowed', () => {
  refused((m) => (m.extra = 1), /top level has a field it may not have: "extra"/);
  refused((m) => delete m.vm.uuid, /vm\.uuid is not a string/);
  refused((m) => (m.vm.uuid = 'x'), /vm\.uuid is not allowed/);
  refused((m) => (m.vm.name = '../etc'), /vm\.name is not a VM name/);
  refused((m) => (m.vm.modelVersion = 0), /vm\.modelVersion is not a version number/);
  refused((m) => (m.vm.options.memory = "4G'/>"), /vm\.options\.memory is not allowed/);
  refused((m) => (m.createdAt = 'yesterday'), /createdAt is not allowed/);
  refused(
    (m) => (m.source = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v']))),
    /more than 32 fields/,
  );
});

test('an option naming a file of the source host', () => {
  for (const k of ['iso', 'drivers', 'kernel', 'initrd', 'disk-image', 'serial-log'])
    refused(
      (m) => (m.vm.options[k] = '/etc/shadow'),
      new RegExp(`names a file of the host it came from \\(${k}\\)`),
    );
});

test('entries: paths, kinds, places, sizes, checksums, duplicates, count, order', () => {
  refused((m) => (m.entries[1].path = '/etc/shadow'), /is not allowed: the name is an absolute path/);
  refused((m) => (m.entries[1].path = 'disks/../../x'), /the name has a "\.\." segment/);
  refused((m) => (m.entries[3].path = 'tpm/a b'), /has a character outside/);
  refused((m) => (m.entries[1].kind = 'script'), /entries\[1\]\.kind is not allowed/);
  refused((m) => (m.entries[2].path = 'nvram/other.fd'), /is not where a nvram entry goes/);
  refused((m) => (m.entries[1].path = 'disks/vdb.raw'), /does not match its target vda/);
  refused((m) => (m.entries[1].size = -1), /entries\[1\]\.size is not a whole number/);
  refused((m) => (m.entries[1].size = 2 ** 60), /entries\[1\]\.size is not a whole number/);
  refused((m) => (m.entries[2].sha256 = 'ABC'), /entries\[2\]\.sha256 is not allowed/);
  refused((m) => (m.entries[2].target = 'vda'), /entries\[2\] has a field it may not have: "target"/);
  refused((m) => m.entries.push({ ...m.entries[3] }), /lists tpm\/tpm2\/tpm2-00\.permall twice/);
  refused(
    (m) => m.entries.push({ ...m.entries[3], path: 'manifest.json', kind: 'tpm' }),
    /not where a tpm entry goes/,
  );
  refused((m) => m.entries.reverse(), /do not begin with the one domain\.xml/);
  refused((m) => (m.entries[0].size = 2 ** 40), /give domain\.xml 1099511627776 bytes; at most 1048576/);
  refused(
    (m) => m.entries.push(...Array.from({ length: 61 }, (_, i) => ({ ...m.entries[3], path: `tpm/f${i}` }))),
    /lists 65 entries; at most 64/,
  );
});
