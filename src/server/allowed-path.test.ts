import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PhyllomeError } from '../errors.js';
import { allowedLocalPath, allowedModelPaths, allowedRemotePath } from './allowed-path.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'phyllo-allowed-')));
const allowed = join(root, 'images');
const other = join(root, 'other');
mkdirSync(join(allowed, 'sub'), { recursive: true });
mkdirSync(other);
writeFileSync(join(allowed, 'a.iso'), 'iso');
writeFileSync(join(other, 'secret'), 'secret');
symlinkSync(join(other, 'secret'), join(allowed, 'out-link.iso'));
symlinkSync(join(allowed, 'a.iso'), join(other, 'in-link.iso'));
symlinkSync(other, join(allowed, 'other-dir'));
symlinkSync(join(other, 'nothing-yet'), join(allowed, 'dangling.iso'));
// An allowed directory reached through a symlink is compared as what it really is.
symlinkSync(allowed, join(root, 'images-link'));
after(() => rmSync(root, { recursive: true, force: true }));

function refused(fn: () => unknown, why: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PhyllomeError);
    assert.equal(e.code, 'path-not-allowed');
    assert.match(e.message, why);
    assert.match(e.hint ?? '', new RegExp(`inside ${allowed}`), 'the hint names the allowed directories');
    assert.match(e.hint ?? '', /--allow-dir/);
    return true;
  });
}

describe('allowedLocalPath', () => {
  it('passes a file inside an allowed directory, and one that does not exist yet there', () => {
    assert.equal(allowedLocalPath(join(allowed, 'a.iso'), [allowed], 'iso'), join(allowed, 'a.iso'));
    assert.equal(
      allowedLocalPath(join(allowed, 'sub', 'new.iso'), [allowed], 'iso'),
      join(allowed, 'sub', 'new.iso'),
    );
    assert.equal(
      allowedLocalPath(join(allowed, 'sub', '..', 'a.iso'), [allowed], 'iso'),
      join(allowed, 'a.iso'),
    );
  });

  it('refuses paths outside, `..` escapes, relative paths and the directory itself', () => {
    refused(
      () => allowedLocalPath('/etc/passwd', [allowed], 'iso'),
      /^iso "\/etc\/passwd" is not allowed: it is outside/,
    );
    refused(() => allowedLocalPath(join(allowed, '..', 'other', 'secret'), [allowed], 'iso'), /outside/);
    refused(() => allowedLocalPath(`${allowed}/../../../../etc/shadow`, [allowed], 'iso'), /outside/);
    refused(() => allowedLocalPath('images/a.iso', [allowed], 'iso'), /relative/);
    refused(() => allowedLocalPath(allowed, [allowed], 'iso'), /outside/);
    refused(() => allowedLocalPath(`${allowed}-evil/a.iso`, [allowed], 'iso'), /outside/);
    refused(() => allowedLocalPath(`${allowed}/a\0.iso`, [allowed], 'iso'), /NUL/);
  });

  it('follows symlinks: one out of the directory is refused, one into it passes as its target', () => {
    refused(
      () => allowedLocalPath(join(allowed, 'out-link.iso'), [allowed], 'iso'),
      /resolves to .*other\/secret/,
    );
    refused(() => allowedLocalPath(join(allowed, 'other-dir', 'secret'), [allowed], 'iso'), /resolves to/);
    refused(() => allowedLocalPath(join(allowed, 'other-dir', 'new'), [allowed], 'iso'), /resolves to/);
    refused(() => allowedLocalPath(join(allowed, 'dangling.iso'), [allowed], 'iso'), /symlink/);
    assert.equal(allowedLocalPath(join(other, 'in-link.iso'), [allowed], 'iso'), join(allowed, 'a.iso'));
    assert.equal(
      allowedLocalPath(join(root, 'images-link', 'a.iso'), [join(root, 'images-link')], 'iso'),
      join(allowed, 'a.iso'),
    );
  });

  it('any of several directories; none allowed refuses all', () => {
    assert.equal(allowedLocalPath(join(other, 'secret'), [allowed, other], 'kernel'), join(other, 'secret'));
    assert.throws(() => allowedLocalPath(join(allowed, 'a.iso'), [], 'iso'), /not allowed/);
  });
});

describe('allowedRemotePath', () => {
  it('POOL/VOLUME passes; absolute paths must lie inside lexically, without ..', () => {
    assert.equal(allowedRemotePath('default/win.iso', ['/var/lib/libvirt/images'], 'iso'), 'default/win.iso');
    assert.equal(
      allowedRemotePath('/var/lib/libvirt/images//x.iso', ['/var/lib/libvirt/images'], 'iso'),
      '/var/lib/libvirt/images/x.iso',
    );
    assert.throws(() => allowedRemotePath('/etc/passwd', ['/var/lib/libvirt/images'], 'iso'), /outside/);
    assert.throws(
      () =>
        allowedRemotePath('/var/lib/libvirt/images/../../../etc/passwd', ['/var/lib/libvirt/images'], 'iso'),
      /"\.\."/,
    );
    assert.throws(
      () => allowedRemotePath('../x', ['/var/lib/libvirt/images'], 'iso'),
      /absolute path or POOL/,
    );
    assert.throws(
      () => allowedRemotePath('x.iso', ['/var/lib/libvirt/images'], 'iso'),
      /absolute path or POOL/,
    );
  });
});

describe('allowedModelPaths', () => {
  it('checks every file option and leaves the others alone', () => {
    const out = allowedModelPaths({ iso: join(other, 'in-link.iso'), memory: '1G' }, [allowed], false);
    assert.deepEqual(out, { iso: join(allowed, 'a.iso'), memory: '1G' });
    assert.throws(
      () => allowedModelPaths({ kernel: '/boot/vmlinuz' }, [allowed], false),
      /kernel "\/boot\/vmlinuz"/,
    );
    assert.throws(() => allowedModelPaths({ diskImage: '/dev/sda' }, [allowed], true), /diskImage/);
  });
});
