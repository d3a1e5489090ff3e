import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import type { Domain } from '../libvirt/index.js';
import { domainConfigDir, vmOsLookup } from './vm-os-cache.js';

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
  const lookup = vmOsLookup(
    uri,
    async (d) => {
      asked.push(d.name);
      return answers[d.name] ?? null;
    },
    { configDir: uri.startsWith('qemu:///') ? configDir : undefined, cacheDir },
  );
  const oses = await Promise.all(doms.map((d) => lookup.osOf(d)));
  lookup.save();
  return { asked, oses, hits: lookup.hits };
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
