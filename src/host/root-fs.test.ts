import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HostRootError } from './errors.js';
import { RootFs } from './root-fs.js';

const dir = mkdtempSync(join(tmpdir(), 'phyllo-rootfs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function tree(name: string, dirs: string[]): string {
  const root = join(dir, name);
  for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
  mkdirSync(root, { recursive: true });
  return root;
}

test('RootFs.open takes a directory holding proc/ and sys/, and this computer', () => {
  assert.equal(RootFs.open(tree('ok', ['proc', 'sys'])).root, join(dir, 'ok'));
  assert.equal(RootFs.open('/').root, '/');
});

test('RootFs.open names what is wrong with the root', () => {
  const cases: [string, string][] = [
    [join(dir, 'missing'), 'does not exist'],
    [tree('no-sys', ['proc']), "has no sys/ directory: it is not a host's root file system"],
    [tree('no-proc', ['sys']), "has no proc/ directory: it is not a host's root file system"],
    [tree('empty', []), "has no proc/ and no sys/ directory: it is not a host's root file system"],
  ];
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  cases.push([file, 'is not a directory']);
  // sys as a file is not a directory either.
  const sysFile = tree('sys-file', ['proc']);
  writeFileSync(join(sysFile, 'sys'), '');
  cases.push([sysFile, "has no sys/ directory: it is not a host's root file system"]);
  for (const [root, problem] of cases)
    assert.throws(
      () => RootFs.open(root),
      (err: unknown) =>
        err instanceof HostRootError &&
        err.code === 'host-root-invalid' &&
        err.message === `The host root ${root} ${problem}` &&
        /--root needs the root directory of a host/.test(err.hint ?? ''),
      root,
    );
});
