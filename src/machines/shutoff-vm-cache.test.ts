import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import type { Domain } from '../libvirt/index.js';
import { domainConfigDir, shutoffVmCache } from './shutoff-vm-cache.js';

let root: string;
let configDir: string;
let cacheDir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'phyllo-os-cache-'));
  configDir = join(root, 'qemu');
  cacheDir = join(root, 'cache');
  mkdirSync(configDir);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A definition file written the way libvirt does: a new file renamed over the old one. */
function define(name: string, body = `<domain><name>${name}</name></domain>`): void {
  const tmp = join(configDir, `${name}.xml.new`);
  writeFileSync(tmp, body);
  renameSync(tmp, join(configDir, `${name}.xml`));
}

const dom = (name: string, uuid: string, id = -1) => ({ name, uuid, id }) as unknown as Domain;

/** `vm list` once: every VM looked up, then saved; which VMs were asked. */
async function listOnce(doms: Domain[], answers: Record<string, string | null>, uri = 'qemu:///system') {
  const asked: string[] = [];
  const lookup = shutoffVmCache(
    uri,
    async (d) => {
      asked.push(d.name);
      return answers[d.name] ?? null;
    },
    { configDir: uri.startsWith('qemu:///') ? configDir : undefined, cacheDir },
  );
  const oses = await Promise.all(doms.map((d) => lookup.osOf(d)));
  lookup.save();
  return { asked, oses, hits: lookup.hits, definitionStats: lookup.definitionStats };
}

/** The definitions' directory as if last changed `ageMs` ago. */
function ageDir(ageMs = 10_000): void {
  const t = (Date.now() - ageMs) / 1000;
  utimesSync(configDir, t, t);
}

test('a shut-off VM whose definition file is unchanged is not asked again; its OS is the one seen', async () => {
  define('a');
  define('b');
  const doms = [dom('a', 'u-a'), dom('b', 'u-b')];
  const first = await listOnce(doms, { a: 'debian12', b: null });
  assert.deepEqual(first.asked, ['a', 'b']);
  assert.deepEqual(first.oses, ['debian12', null]);
  const second = await listOnce(doms, { a: 'WRONG', b: 'WRONG' });
  assert.deepEqual(second.asked, [], 'both from the cache');
  assert.deepEqual(second.oses, ['debian12', null], 'an OS of null is remembered too');
  assert.equal(second.hits, 2);
});

test('while the directory is the one seen last time, no definition file is looked at; a rewrite changes the directory', async () => {
  define('a');
  define('b');
  ageDir();
  const doms = [dom('a', 'u-a'), dom('b', 'u-b')];
  const first = await listOnce(doms, { a: 'debian12', b: 'fedora40' });
  assert.equal(first.definitionStats, 2, 'each file looked at once');
  const second = await listOnce(doms, { a: 'WRONG', b: 'WRONG' });
  assert.deepEqual(second.asked, []);
  assert.deepEqual(second.oses, ['debian12', 'fedora40']);
  assert.equal(second.definitionStats, 0, 'the directory said every file is the same');
  // libvirt rewrites a: a rename in the directory, whose mtime is now (too new to be trusted yet).
  define('a');
  const third = await listOnce(doms, { a: 'win11', b: 'WRONG' });
  assert.deepEqual(third.asked, ['a']);
  assert.deepEqual(third.oses, ['win11', 'fedora40']);
  assert.equal(third.definitionStats, 2);
  const fourth = await listOnce(doms, { a: 'WRONG', b: 'WRONG' });
  assert.equal(fourth.definitionStats, 2, 'still too new: each file looked at again');
  assert.deepEqual(fourth.oses, ['win11', 'fedora40']);
  ageDir();
  await listOnce(doms, {});
  const aged = await listOnce(doms, { a: 'WRONG', b: 'WRONG' });
  assert.equal(aged.definitionStats, 0);
  assert.deepEqual(aged.oses, ['win11', 'fedora40']);
  // A VM the last list did not see (new, or running then) is looked at, whatever the directory.
  define('c');
  ageDir();
  await listOnce(doms, {});
  const withC = await listOnce([...doms, dom('c', 'u-c')], { c: 'alpine' });
  assert.equal(withC.definitionStats, 1);
  assert.deepEqual(withC.oses, ['win11', 'fedora40', 'alpine']);
});

test('knownOs answers what osOf would without asking: a remembered OS, null included; undefined where it would ask', async () => {
  define('a');
  define('b');
  define('c');
  await listOnce([dom('a', 'u-a'), dom('b', 'u-b')], { a: 'debian12', b: null });
  const cache = shutoffVmCache('qemu:///system', async () => 'ASKED', { configDir, cacheDir });
  assert.equal(cache.knownOs(dom('a', 'u-a')), 'debian12');
  assert.equal(cache.knownOs(dom('b', 'u-b')), null, 'an OS of null is known too');
  assert.equal(cache.knownOs(dom('c', 'u-c')), undefined, 'never seen');
  assert.equal(cache.hits, 2);
  assert.equal(await cache.osOf(dom('c', 'u-c')), 'ASKED');
  const later = shutoffVmCache('qemu:///system', async () => 'ASKED', { configDir, cacheDir });
  assert.equal(later.knownOs(dom('a', 'u-a', 3)), undefined, 'running now: always asked');
});

test('a definition rewritten (a new file: another inode) is asked again, even with the same size and content', async () => {
  define('a');
  await listOnce([dom('a', 'u-a')], { a: 'debian12' });
  define('a');
  const again = await listOnce([dom('a', 'u-a')], { a: 'fedora40' });
  assert.deepEqual(again.asked, ['a']);
  assert.deepEqual(again.oses, ['fedora40']);
  const third = await listOnce([dom('a', 'u-a')], { a: 'WRONG' });
  assert.deepEqual(third.oses, ['fedora40']);
});

test('a running VM, a VM without a file, another daemon and a damaged cache file are always asked', async () => {
  define('run');
  const doms = [dom('run', 'u-run', 7), dom('nofile', 'u-nofile')];
  await listOnce(doms, { run: 'win11', nofile: 'alpine' });
  const again = await listOnce(doms, { run: 'win11', nofile: 'alpine' });
  assert.deepEqual(again.asked, ['run', 'nofile']);
  // The same VM name through a daemon on another socket: its files are not these.
  define('a');
  await listOnce([dom('a', 'u-a')], { a: 'debian12' });
  const other = await listOnce([dom('a', 'u-a')], { a: 'x' }, 'qemu+unix:///system?socket=/tmp/s');
  assert.deepEqual(other.asked, ['a']);
  for (const f of readdirSync(cacheDir)) writeFileSync(join(cacheDir, f), '{not json');
  const damaged = await listOnce([dom('a', 'u-a')], { a: 'debian12' });
  assert.deepEqual(damaged.asked, ['a']);
  assert.deepEqual((await listOnce([dom('a', 'u-a')], { a: 'x' })).oses, ['debian12'], 'rewritten whole');
});

test('a VM gone from the list is dropped from the cache; a VM defined anew under its name is asked', async () => {
  define('a');
  define('b');
  await listOnce([dom('a', 'u-a'), dom('b', 'u-b')], { a: 'debian12', b: 'fedora40' });
  await listOnce([dom('a', 'u-a')], { a: 'x' });
  // b comes back with the very same file, as if never gone: it was dropped, so it is asked.
  const back = await listOnce([dom('a', 'u-a'), dom('b', 'u-b')], { a: 'x', b: 'alpine' });
  assert.deepEqual(back.asked, ['b']);
  // Another VM under a's name (a new UUID): asked, whatever its file.
  const renamed = await listOnce([dom('a', 'u-a2'), dom('b', 'u-b')], { a: 'win11' });
  assert.deepEqual(renamed.asked, ['a']);
  assert.deepEqual(renamed.oses, ['win11', 'alpine']);
});

test('the definitions of the system and the session daemon', () => {
  assert.equal(domainConfigDir('qemu:///system'), '/etc/libvirt/qemu');
  assert.equal(
    domainConfigDir('qemu:///session', { XDG_CONFIG_HOME: '/home/u/.cfg' }),
    '/home/u/.cfg/libvirt/qemu',
  );
  assert.equal(domainConfigDir('qemu+ssh://host/system'), undefined);
  assert.equal(domainConfigDir('qemu:///system?socket=/tmp/s'), undefined);
});

/** A disk file of `size` bytes, last modified `ageMs` ago. */
function disk(name: string, size = 4096, ageMs = 10_000): string {
  const p = join(root, name);
  writeFileSync(p, Buffer.alloc(size));
  const t = (Date.now() - ageMs) / 1000;
  utimesSync(p, t, t);
  return p;
}

const shutOff = (paths: (string | undefined)[], extra: Record<string, unknown> = {}) => ({
  'state.state': 5,
  'vcpu.current': 2,
  'balloon.maximum': 262144n,
  'block.count': paths.length,
  ...Object.fromEntries(paths.flatMap((p, i) => (p ? [[`block.${i}.path`, p]] : []))),
  ...Object.fromEntries(paths.map((_, i) => [`block.${i}.allocation`, 4096n * BigInt(i + 1)])),
  ...extra,
});

/** One list's worth of stats: what the cache answers, then what it is told for the rest. */
function statsOnce(doms: Domain[], told: Record<string, Record<string, unknown>>, askedAtMs = Date.now()) {
  const cache = shutoffVmCache('qemu:///system', async () => null, { configDir, cacheDir });
  const answered = Object.fromEntries(
    doms.flatMap((d) => {
      const v = cache.statsOf(d);
      return v ? [[d.name, v]] : [];
    }),
  );
  for (const d of doms)
    if (!answered[d.name] && told[d.name]) cache.rememberStats(d, told[d.name]!, askedAtMs);
  cache.save();
  return answered;
}

test("a shut-off VM's stats are answered while its definition and every disk file are the files seen; 64-bit counters as numbers", () => {
  define('a');
  const vda = disk('a.qcow2');
  const iso = disk('a.iso');
  // An empty CD-ROM drive (no path) has nothing to change.
  const told = { a: shutOff([vda, iso, undefined]) };
  assert.deepEqual(statsOnce([dom('a', 'u-a')], told), {}, 'asked the first time');
  const second = statsOnce([dom('a', 'u-a')], {});
  assert.deepEqual(second.a, {
    'state.state': 5,
    'vcpu.current': 2,
    'balloon.maximum': 262144,
    'block.count': 3,
    'block.0.path': vda,
    'block.1.path': iso,
    'block.0.allocation': 4096,
    'block.1.allocation': 8192,
    'block.2.allocation': 12288,
  });
  // The disk written (a new size and mtime): asked again, and the new answer remembered.
  writeFileSync(vda, Buffer.alloc(8192));
  utimesSync(vda, (Date.now() - 5000) / 1000, (Date.now() - 5000) / 1000);
  assert.deepEqual(statsOnce([dom('a', 'u-a')], { a: shutOff([vda, iso]) }), {});
  assert.equal(statsOnce([dom('a', 'u-a')], {}).a?.['block.count'], 2);
  // The ISO gone: asked again.
  rmSync(iso);
  assert.deepEqual(statsOnce([dom('a', 'u-a')], {}), {});
});

test('a rewritten definition, a running VM, a disk modified during the call or not a regular file: asked every time', () => {
  define('a');
  define('run');
  define('fresh');
  define('dev');
  const vda = disk('a.qcow2');
  const doms = [dom('a', 'u-a'), dom('run', 'u-run', 3), dom('fresh', 'u-fresh'), dom('dev', 'u-dev')];
  const told = {
    a: shutOff([vda]),
    run: shutOff([vda], { 'state.state': 1 }),
    // Written 10 ms before the stats were asked: the write may have come during the call.
    fresh: shutOff([disk('fresh.qcow2', 4096, 10)]),
    dev: shutOff(['/dev/null']),
  };
  statsOnce(doms, told);
  assert.deepEqual(Object.keys(statsOnce(doms, told)), ['a'], 'only the shut-off VM with settled disk files');
  define('a');
  assert.deepEqual(statsOnce(doms, told), {}, 'a new definition file');
  // A VM reported running by its stats, though listed as shut off, is not remembered either.
  define('b');
  statsOnce([dom('b', 'u-b')], { b: shutOff([vda], { 'state.state': 1 }) });
  assert.deepEqual(statsOnce([dom('b', 'u-b')], {}), {});
});

test('the OS and the stats are remembered together, each asked only when missing', async () => {
  define('a');
  const vda = disk('a.qcow2');
  await listOnce([dom('a', 'u-a')], { a: 'debian12' });
  statsOnce([dom('a', 'u-a')], { a: shutOff([vda]) });
  const again = await listOnce([dom('a', 'u-a')], { a: 'WRONG' });
  assert.deepEqual(again.oses, ['debian12'], 'the stats did not push the OS out');
  assert.equal(statsOnce([dom('a', 'u-a')], {}).a?.['vcpu.current'], 2, 'nor the OS the stats');
});

test('the OS-only cache file of earlier versions is removed when the cache is written', async () => {
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(join(cacheDir, 'vm-os-system.json'), '{}');
  define('a');
  await listOnce([dom('a', 'u-a')], { a: 'debian12' });
  assert.deepEqual(readdirSync(cacheDir), ['shutoff-vms-system.json']);
});
