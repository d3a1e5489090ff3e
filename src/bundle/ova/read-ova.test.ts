/**
 * `readOva` on archives built by hand here (ustar headers written field by field), each hostile
 * one refused with nothing left in the target directory.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PhyllomeError } from '../../errors.js';
import { UndoList } from '../../jobs/undo-list.js';
import { parseOvf } from './ovf-parse.js';
import { readOva } from './read-ova.js';

const dir = mkdtempSync(join(tmpdir(), 'phyllo-read-ova-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function header(name: string, size: number, type = '0'): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 'latin1');
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  b.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  b.write('14620000000\0', 136);
  b.write(type, 156);
  b.write('ustar\x0000', 257, 'latin1');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return b;
}
const entry = (name: string, data: Buffer | string, type = '0'): Buffer => {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([
    header(name, bytes.length, type),
    bytes,
    Buffer.alloc((512 - (bytes.length % 512)) % 512),
  ]);
};
const tar = (...entries: Buffer[]) => Buffer.concat([...entries, Buffer.alloc(1024)]);
const sha = (algo: string, b: Buffer | string) => createHash(algo).update(b).digest('hex');

const OVF = readFileSync(
  new URL('../../../../test/fixtures/ova/vmware-ovftool-ubuntu.ovf', import.meta.url),
  'utf8',
);
const DISK = Buffer.concat([Buffer.from('KDMV'), Buffer.alloc(2000, 7)]);
const mf = (files: [string, Buffer | string][], algo = 'SHA256') =>
  files.map(([n, b]) => `${algo}(${n})= ${sha(algo.toLowerCase(), b)}`).join('\n') + '\n';
const good = (
  mfText = mf([
    ['ubuntu-server.ovf', OVF],
    ['ubuntu-server-disk1.vmdk', DISK],
  ]),
) =>
  tar(
    entry('ubuntu-server.ovf', OVF),
    entry('ubuntu-server.mf', mfText),
    entry('ubuntu-server-disk1.vmdk', DISK),
  );

let n = 0;
async function read(archive: Buffer) {
  const diskPath = join(dir, `disk-${n++}.vmdk`);
  const undo = new UndoList();
  try {
    const r = await readOva(
      (async function* () {
        // Two pieces, so entries straddle chunks.
        yield archive.subarray(0, 700);
        yield archive.subarray(700);
      })(),
      {
        undo,
        descriptor(text) {
          const d = parseOvf(text);
          return {
            references: d.files.map((f) => ({
              href: f.href,
              ...(f.size === undefined ? {} : { size: f.size }),
            })),
            diskHref: d.files[0]!.href,
            diskPath,
          };
        },
      },
    );
    return { r, diskPath };
  } catch (err) {
    await undo.run();
    throw err;
  }
}

async function refused(archive: Buffer, message: RegExp, code = 'ova-invalid'): Promise<void> {
  const before = readdirSync(dir);
  await assert.rejects(read(archive), (e: unknown) => {
    assert.ok(e instanceof PhyllomeError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
  assert.deepEqual(readdirSync(dir), before, 'nothing left behind');
}

describe('readOva', () => {
  it('an OVA as ovftool writes it: OVF, manifest (SHA256), disk written whole and checked', async () => {
    const { r, diskPath } = await read(good());
    assert.deepEqual(r, { ovfName: 'ubuntu-server.ovf', manifest: true });
    assert.deepEqual(readFileSync(diskPath), DISK);
    rmSync(diskPath);
  });
  it('SHA1 lines (older VirtualBox and ovftool) are taken too', async () => {
    const { diskPath } = await read(
      good(
        mf(
          [
            ['ubuntu-server.ovf', OVF],
            ['ubuntu-server-disk1.vmdk', DISK],
          ],
          'SHA1',
        ),
      ),
    );
    rmSync(diskPath);
  });
  it('without a manifest it reads, and says so', async () => {
    const { r, diskPath } = await read(
      tar(entry('ubuntu-server.ovf', OVF), entry('ubuntu-server-disk1.vmdk', DISK)),
    );
    assert.equal(r.manifest, false);
    rmSync(diskPath);
  });
  it('a manifest after the disk still checks it', async () => {
    const text = mf([
      ['ubuntu-server.ovf', OVF],
      ['ubuntu-server-disk1.vmdk', DISK],
    ]);
    const { diskPath } = await read(
      tar(
        entry('ubuntu-server.ovf', OVF),
        entry('ubuntu-server-disk1.vmdk', DISK),
        entry('ubuntu-server.mf', text),
      ),
    );
    rmSync(diskPath);
  });
});

describe('readOva refuses, leaving nothing', () => {
  const flipped = Buffer.from(DISK);
  flipped[1500] = flipped[1500]! ^ 1;
  it('a disk whose digest is not the manifest’s (one flipped bit)', () =>
    refused(
      tar(
        entry('ubuntu-server.ovf', OVF),
        entry(
          'ubuntu-server.mf',
          mf([
            ['ubuntu-server.ovf', OVF],
            ['ubuntu-server-disk1.vmdk', DISK],
          ]),
        ),
        entry('ubuntu-server-disk1.vmdk', flipped),
      ),
      /ubuntu-server-disk1\.vmdk does not match its manifest/,
    ));
  it('the same with the manifest last (the disk was written, then removed)', () =>
    refused(
      tar(
        entry('ubuntu-server.ovf', OVF),
        entry('ubuntu-server-disk1.vmdk', flipped),
        entry(
          'ubuntu-server.mf',
          mf([
            ['ubuntu-server.ovf', OVF],
            ['ubuntu-server-disk1.vmdk', DISK],
          ]),
        ),
      ),
      /does not match its manifest/,
    ));
  it('an OVF changed after the manifest was made', () =>
    refused(
      good(
        mf([
          ['ubuntu-server.ovf', OVF + ' '],
          ['ubuntu-server-disk1.vmdk', DISK],
        ]),
      ),
      /ubuntu-server\.ovf does not match/,
    ));
  it('a file the manifest does not list', () =>
    refused(
      good(mf([['ubuntu-server.ovf', OVF]])),
      /ubuntu-server-disk1\.vmdk is not listed in its manifest/,
    ));
  it('a manifest listing a file the OVA lacks', () =>
    refused(
      good(
        mf([
          ['ubuntu-server.ovf', OVF],
          ['ubuntu-server-disk1.vmdk', DISK],
          ['extra.iso', 'x'],
        ]),
      ),
      /lists extra\.iso, which the OVA does not hold/,
    ));
  it('an MD5 manifest', () => refused(good(mf([['ubuntu-server.ovf', OVF]], 'MD5')), /MD5/));
  it('a symbolic link', () =>
    refused(
      tar(entry('ubuntu-server.ovf', OVF), entry('ubuntu-server-disk1.vmdk', '', '2')),
      /symbolic link/,
    ));
  it('a hard link', () =>
    refused(tar(entry('ubuntu-server.ovf', OVF), entry('ubuntu-server-disk1.vmdk', '', '1')), /hard link/));
  it('a device file', () =>
    refused(
      tar(entry('ubuntu-server.ovf', OVF), entry('ubuntu-server-disk1.vmdk', '', '3')),
      /character device/,
    ));
  it('a ".." name', () =>
    refused(tar(entry('ubuntu-server.ovf', OVF), entry('../evil.vmdk', DISK)), /"\.\." segment/));
  it('an absolute name', () =>
    refused(tar(entry('ubuntu-server.ovf', OVF), entry('/etc/passwd', DISK)), /absolute path/));
  it('a name in a directory', () =>
    refused(tar(entry('ubuntu-server.ovf', OVF), entry('a/b.vmdk', DISK)), /directory part/));
  it('a name twice', () =>
    refused(
      tar(
        entry('ubuntu-server.ovf', OVF),
        entry('ubuntu-server-disk1.vmdk', DISK),
        entry('ubuntu-server-disk1.vmdk', DISK),
      ),
      /appears twice/,
    ));
  it('a first file that is not the OVF', () =>
    refused(
      tar(entry('ubuntu-server-disk1.vmdk', DISK), entry('ubuntu-server.ovf', OVF)),
      /not the OVF descriptor/,
    ));
  it('a file the OVF does not reference', () =>
    refused(
      tar(entry('ubuntu-server.ovf', OVF), entry('notes.txt', 'hi'), entry('ubuntu-server-disk1.vmdk', DISK)),
      /notes\.txt, a file its OVF does not reference/,
    ));
  it('an OVA without its disk', () =>
    refused(
      tar(entry('ubuntu-server.ovf', OVF)),
      /references ubuntu-server-disk1\.vmdk, which the OVA does not hold/,
    ));
  it('an OVF with an external entity (before any disk byte is written)', () =>
    refused(
      tar(
        entry(
          'ubuntu-server.ovf',
          OVF.replace('<Envelope', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/shadow">]><Envelope'),
        ),
        entry('ubuntu-server-disk1.vmdk', DISK),
      ),
      /DOCTYPE/,
    ));
  it('a size in the OVF that is not the entry’s', () =>
    refused(
      tar(
        entry('ubuntu-server.ovf', OVF.replace('ovf:id="file1"', 'ovf:id="file1" ovf:size="12"')),
        entry('ubuntu-server-disk1.vmdk', DISK),
      ),
      /is 2004 bytes; its OVF says 12/,
    ));
  it('a truncated archive', () => refused(good().subarray(0, 2600), /ends/));
});
