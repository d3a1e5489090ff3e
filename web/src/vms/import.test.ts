import { describe, expect, it } from 'vitest';
import { checkImportName, importAnswer, importUrl, isOva, uploadProgress } from './import';

describe('import', () => {
  it('posts to /api/vms/import with the host and the new name, when one is given', () => {
    expect(importUrl('local', undefined)).toBe('/api/vms/import?host=local');
    expect(importUrl('b', 'web 2')).toBe('/api/vms/import?host=b&name=web+2');
    expect(importUrl('local', undefined, 'web.phyllo.tar.zst')).toBe('/api/vms/import?host=local');
  });

  it('posts an .ova file (any case) to /api/vms/import-ova', () => {
    expect(importUrl('local', 'deb', 'Debian 12.OVA')).toBe('/api/vms/import-ova?host=local&name=deb');
    expect(isOva('appliance.ova')).toBe(true);
    expect(isOva('ova.tar')).toBe(false);
  });

  it('keeps the bundle’s name when none is given; checks one that is', () => {
    expect(checkImportName('  ', [])).toEqual({ ok: true, value: undefined });
    expect(checkImportName(' web2 ', ['web'])).toEqual({ ok: true, value: 'web2' });
    expect(checkImportName('web', ['web'])).toEqual({
      ok: false,
      error: 'A VM named "web" already exists on this host.',
    });
    const bad = checkImportName('bad name', []);
    expect(bad.ok).toBe(false);
  });

  it('says how much of the upload is sent, then that the server works on it', () => {
    expect(uploadProgress(0, 0)).toEqual({ text: '0 B sent', fraction: undefined, sent: false });
    expect(uploadProgress(512 * 1024, 2 * 1024 * 1024)).toEqual({
      text: '512 KiB of 2 MiB (25%)',
      fraction: 0.25,
      sent: false,
    });
    const done = uploadProgress(2 * 1024 * 1024, 2 * 1024 * 1024);
    expect(done.fraction).toBe(1);
    expect(done.sent).toBe(true);
    expect(done.text).toMatch(/^2 MiB sent; the server checks/);
  });

  it('reads a 201 as the VM, an error shape as its error, anything else as a plain error', () => {
    const ok = importAnswer(201, JSON.stringify({ name: 'web', uuid: 'u', changes: [], warnings: [] }));
    expect(ok).toEqual({ ok: true, vm: { name: 'web', uuid: 'u', changes: [], warnings: [] } });
    const refused = importAnswer(
      422,
      JSON.stringify({ error: { code: 'bundle-invalid', message: 'Bad.', hint: 'Again.' } }),
    );
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('bundle-invalid');
      expect(refused.error.status).toBe(422);
      expect(refused.error.hint).toBe('Again.');
    }
    const cut = importAnswer(0, '');
    expect(!cut.ok && cut.error.code).toBe('network');
    const proxy = importAnswer(502, '<html>');
    expect(!proxy.ok && proxy.error.message).toMatch(/502/);
  });
});
