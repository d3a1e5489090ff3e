/**
 * `vm create --print-xml` on this machine's daemon: a relative `--iso` reaches the XML as an
 * absolute path (libvirt would resolve it against its own working directory), a directory or a file
 * that is not an ISO is refused, and `--session` as root is refused instead of defining a
 * session-style VM on the system daemon.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { run as create } from '../../src/cli/commands/vm-create.js';
import type { CommandContext } from '../../src/cli/command.js';
import { PhyllomeError } from '../../src/errors.js';
import { ISO_SIGNATURE_OFFSET } from '../../src/machines/option-paths.js';
import { isRoot } from '../libvirt/helpers.js';

let dir: string;
const cwd = process.cwd();

function ctx(values: CommandContext['values']): CommandContext {
  return {
    positionals: ['paths-test'],
    values: {
      json: true,
      os: 'linux',
      'disk-size': 'none',
      'print-xml': true,
      connect: 'qemu:///system',
      ...values,
    },
    json: true,
    progress: new PassThrough(),
    isTTY: false,
  };
}

async function fails(values: CommandContext['values'], code: string, message: RegExp): Promise<void> {
  await assert.rejects(create(ctx(values)), (e: unknown) => {
    assert.ok(e instanceof PhyllomeError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'phyllo-cli-paths-'));
  const iso = Buffer.alloc(ISO_SIGNATURE_OFFSET + 2048);
  iso.write('CD001', ISO_SIGNATURE_OFFSET, 'latin1');
  writeFileSync(join(dir, 'install.iso'), iso);
  writeFileSync(join(dir, 'notes.txt'), 'not an image');
  mkdirSync(join(dir, 'folder.iso'));
  process.chdir(dir);
});
after(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

test('a relative --iso is written as an absolute path', { skip: !isRoot && 'needs root' }, async () => {
  const r = await create(ctx({ iso: 'install.iso' }));
  const xml = (r.data as { xml: string }).xml;
  assert.ok(xml.includes(`<source file='${join(dir, 'install.iso')}'/>`), xml);
  assert.ok(!xml.includes(`<source file='install.iso'/>`));
});

test('a directory, or a file without the ISO signature, is not an --iso', async () => {
  await fails({ iso: 'folder.iso' }, 'invalid-file', /is a directory/);
  await fails({ iso: 'notes.txt' }, 'invalid-file', /is not an ISO image/);
});

test('--session as root is refused with the reason', { skip: !isRoot && 'needs root' }, async () => {
  await fails({ session: true, connect: undefined }, 'session-as-root', /root has no session daemon/);
  await fails({ session: true }, 'session-uri-mismatch', /--connect qemu:\/\/\/system is not a session URI/);
});
