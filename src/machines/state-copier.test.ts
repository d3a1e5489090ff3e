import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { localStateCopier, restoreState, StateFileExistsError, type StateCopier } from './state-copier.js';
import {
  isStaleStatePool,
  poolTargetPath,
  STALE_POOL_MS,
  statePoolName,
  statePoolXml,
  volumePermissions,
} from './state-copier-remote.js';
import { volumeXml } from './volume-xml.js';

/** An in-memory host: paths to file contents (directories are the prefixes), with a log of calls. */
function memoryCopier(files: Map<string, string>, withRename: boolean): StateCopier & { log: string[] } {
  const log: string[] = [];
  const under = (p: string) => [...files.keys()].filter((k) => k === p || k.startsWith(`${p}/`));
  const c: StateCopier & { log: string[] } = {
    log,
    exists: async (p) => under(p).length > 0,
    async copy(from, to) {
      log.push(`copy ${from} ${to}`);
      if (under(to).length) throw new StateFileExistsError(to);
      for (const k of under(from)) files.set(to + k.slice(from.length), files.get(k)!);
    },
    async remove(p) {
      log.push(`remove ${p}`);
      for (const k of under(p)) files.delete(k);
    },
    async makeDir() {},
    readFile: async (p) => Buffer.from(files.get(p) ?? ''),
    async writeFile(p, bytes) {
      if (under(p).length) throw new StateFileExistsError(p);
      files.set(p, bytes.toString());
    },
    listFiles: async (dir) => under(dir).map((k) => k.slice(dir.length + 1)),
  };
  if (withRename)
    c.rename = async (from, to) => {
      log.push(`rename ${from} ${to}`);
      for (const k of under(from)) {
        files.set(to + k.slice(from.length), files.get(k)!);
        files.delete(k);
      }
    };
  return c;
}

for (const withRename of [true, false])
  test(`restoreState replaces a file and a directory with the snapshot's copy (${withRename ? 'rename' : 'no rename: a second copy'})`, async () => {
    const files = new Map([
      ['/nv/vm_VARS.fd', 'now'],
      ['/snap/VARS.fd', 'then'],
      ['/tpm/tpm2/tpm2-00.permall', 'now'],
      ['/tpm/tpm2/extra', 'now'],
      ['/snap/tpm2/tpm2-00.permall', 'then'],
      ['/nv/vm_VARS.fd.phyllo-restore', 'left by a crash'],
    ]);
    const c = memoryCopier(files, withRename);
    await restoreState(c, '/snap/VARS.fd', '/nv/vm_VARS.fd');
    await restoreState(c, '/snap/tpm2', '/tpm/tpm2');
    assert.deepEqual(
      Object.fromEntries([...files].filter(([k]) => !k.startsWith('/snap'))),
      { '/nv/vm_VARS.fd': 'then', '/tpm/tpm2/tpm2-00.permall': 'then' },
      'the old extra file is gone, no .phyllo-restore is left',
    );
    // The target goes only once the copy beside it is complete.
    const i = c.log.indexOf('copy /snap/VARS.fd /nv/vm_VARS.fd.phyllo-restore');
    assert.ok(i >= 0 && i < c.log.indexOf('remove /nv/vm_VARS.fd'), c.log.join('\n'));
  });

test('restoreState without a copy removes the target', async () => {
  const files = new Map([['/tpm/tpm2/tpm2-00.permall', 'now']]);
  await restoreState(memoryCopier(files, false), undefined, '/tpm/tpm2');
  assert.equal(files.size, 0);
});

test('a failed copy in restoreState leaves the target as it was', async () => {
  const files = new Map([['/nv/vm_VARS.fd', 'now']]);
  const c = memoryCopier(files, false);
  c.copy = async () => {
    throw new Error('no space');
  };
  await assert.rejects(restoreState(c, '/snap/VARS.fd', '/nv/vm_VARS.fd'), /no space/);
  assert.equal(files.get('/nv/vm_VARS.fd'), 'now');
});

test('state pool names are unique and tell their age; only old phyllo-state pools are stale', () => {
  const now = Date.now();
  const a = statePoolName(now);
  assert.match(a, /^phyllo-state-[0-9a-z]+-[0-9a-f]{8}$/);
  assert.notEqual(a, statePoolName(now));
  assert.equal(isStaleStatePool(a, now + 1000), false);
  assert.equal(isStaleStatePool(a, now + STALE_POOL_MS + 1), true);
  assert.equal(isStaleStatePool('default', now + STALE_POOL_MS * 10), false);
  assert.equal(isStaleStatePool('phyllo-state-zz', now), false);
});

test('state pool and volume XML: escaped, the mode only for a pool that is built', () => {
  assert.equal(
    statePoolXml('p', "/var/lib/a'b"),
    "<pool type='dir'><name>p</name><target><path>/var/lib/a&apos;b</path></target></pool>",
  );
  assert.match(statePoolXml('p', '/x', 0o700), /<permissions><mode>0700<\/mode><\/permissions><\/target>/);
  assert.match(statePoolXml('p', '/x', 0o711), /<mode>0711<\/mode>/);
  assert.equal(
    poolTargetPath(statePoolXml('p', '/var/lib/libvirt/swtpm/u/tpm2', 0o700)),
    '/var/lib/libvirt/swtpm/u/tpm2',
  );
  const perms = volumePermissions(
    `<volume type='file'><name>tpm2-00.permall</name><target><path>/x</path><format type='raw'/><permissions><mode>0600</mode><owner>59</owner><group>59</group><label>system_u:object_r:virt_var_lib_t:s0</label></permissions></target></volume>`,
  );
  assert.equal(perms, '<permissions><mode>0600</mode><owner>59</owner><group>59</group></permissions>');
  assert.equal(
    volumeXml('a&b', 540672, { permissions: perms }),
    `<volume type='file'><name>a&amp;b</name><capacity unit='bytes'>540672</capacity><target><format type='raw'/>${perms}</target></volume>`,
  );
  assert.equal(
    volumePermissions('<volume><name>v</name><target><path>/x</path></target></volume>'),
    undefined,
  );
});

const tmp = mkdtempSync(join(tmpdir(), 'phyllo-state-copier-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('the local copier copies a directory of files, refuses an existing target, removes and makes directories', async () => {
  const from = join(tmp, 'swtpm/a/tpm2');
  mkdirSync(from, { recursive: true });
  writeFileSync(join(from, 'tpm2-00.permall'), 'state', { mode: 0o600 });
  writeFileSync(join(from, '.lock'), '');
  const to = join(tmp, 'swtpm/b/tpm2');
  mkdirSync(dirname(to));
  await localStateCopier.copy(from, to);
  assert.deepEqual(readdirSync(to).sort(), ['.lock', 'tpm2-00.permall']);
  assert.equal(readFileSync(join(to, 'tpm2-00.permall'), 'utf8'), 'state');
  assert.equal(statSync(join(to, 'tpm2-00.permall')).mode & 0o777, 0o600);
  writeFileSync(join(to, 'tpm2-00.permall'), 'newer');
  await assert.rejects(localStateCopier.copy(from, to), StateFileExistsError);
  assert.equal(
    readFileSync(join(to, 'tpm2-00.permall'), 'utf8'),
    'newer',
    'an existing target is not touched',
  );
  await assert.rejects(localStateCopier.copy(join(tmp, 'nope'), join(tmp, 'nope2')));
  assert.equal(await localStateCopier.exists(join(tmp, 'nope2')), false);
  await localStateCopier.remove(join(tmp, 'swtpm/b'));
  assert.equal(await localStateCopier.exists(join(tmp, 'swtpm/b')), false);
  await localStateCopier.remove(join(tmp, 'swtpm/b'));
  const snap = join(tmp, 'snapshots/uuid/s1');
  await localStateCopier.makeDir(snap);
  assert.equal(statSync(snap).mode & 0o777, 0o700);
  await assert.rejects(localStateCopier.makeDir(snap), StateFileExistsError);
});
