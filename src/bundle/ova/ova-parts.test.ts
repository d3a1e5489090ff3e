import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PhyllomeError } from '../../errors.js';
import { progressPercents } from './convert.js';
import { vmNameFrom } from './import-ova.js';
import { parseOvaManifest } from './ova-manifest.js';
import { ovaNameProblem } from './ova-names.js';
import { checkVmdkHeader } from './vmdk-header.js';

function sparseHeader(
  o: { magic?: string; version?: number; sectors?: bigint; grain?: bigint } = {},
): Buffer {
  const b = Buffer.alloc(512);
  b.write(o.magic ?? 'KDMV', 0, 'latin1');
  b.writeUInt32LE(o.version ?? 3, 4);
  b.writeBigUInt64LE(o.sectors ?? 32768n, 12);
  b.writeBigUInt64LE(o.grain ?? 128n, 20);
  return b;
}
const refusedWith = (f: () => unknown, re: RegExp) =>
  assert.throws(
    f,
    (e: unknown) => e instanceof PhyllomeError && e.code === 'ova-invalid' && re.test(e.message),
  );

describe('manifest lines', () => {
  it('SHA256 and SHA1 lines, names with spaces and parentheses, CRLF', () => {
    const m = parseOvaManifest(
      `SHA256(Windows 11 x64.ovf)= ${'a'.repeat(64)}\r\nSHA1(disk (1).vmdk)=${'B'.repeat(40)}\r\n\r\n`,
    );
    assert.deepEqual(Object.fromEntries(m), {
      'Windows 11 x64.ovf': { algorithm: 'sha256', hex: 'a'.repeat(64) },
      'disk (1).vmdk': { algorithm: 'sha1', hex: 'b'.repeat(40) },
    });
  });
  it('a line that is not one, a digest of the wrong length, a name twice', () => {
    refusedWith(() => parseOvaManifest('hello'), /line 1 is not/);
    refusedWith(() => parseOvaManifest(`SHA256(a)= ${'a'.repeat(40)}`), /has 40 digits, not 64/);
    refusedWith(
      () => parseOvaManifest(`SHA1(a)= ${'a'.repeat(40)}\nSHA1(a)= ${'a'.repeat(40)}`),
      /lists a twice/,
    );
  });
});

describe('OVA file names', () => {
  it('takes the names VirtualBox and VMware give (spaces, parentheses)', () => {
    assert.equal(ovaNameProblem('Windows 11 x64-disk1.vmdk'), undefined);
    assert.equal(ovaNameProblem('debian 12 (test)-disk001.vmdk'), undefined);
  });
  it('refuses a directory part, "..", absolute paths, backslashes, control characters', () => {
    assert.match(ovaNameProblem('../x')!, /"\.\."/);
    assert.match(ovaNameProblem('/etc/passwd')!, /absolute/);
    assert.match(ovaNameProblem('a/b')!, /directory part/);
    assert.match(ovaNameProblem('a\\b')!, /backslash/);
    assert.match(ovaNameProblem('a\nb')!, /control character/);
  });
});

describe('VMDK header', () => {
  it('a streamOptimized/monolithicSparse header gives its capacity', () =>
    assert.deepEqual(checkVmdkHeader(sparseHeader(), 'd.vmdk'), {
      version: 3,
      capacityBytes: 16 << 20,
      grainSectors: 128,
    }));
  it('a descriptor file naming other files is refused', () => {
    const text = Buffer.alloc(512);
    text.write('# Disk DescriptorFile\nversion=1\nRW 32768 FLAT "/etc/shadow" 0\n');
    refusedWith(() => checkVmdkHeader(text, 'd.vmdk'), /descriptor, which names other files/);
  });
  it('a sparse header without capacity (qemu would follow its descriptor) is refused', () =>
    refusedWith(() => checkVmdkHeader(sparseHeader({ sectors: 0n }), 'd.vmdk'), /no capacity/));
  it('not a VMDK, a COWD extent, a wrong version, an odd grain', () => {
    refusedWith(() => checkVmdkHeader(sparseHeader({ magic: 'QFI\xfb' }), 'd.vmdk'), /not a sparse VMDK/);
    refusedWith(() => checkVmdkHeader(sparseHeader({ magic: 'COWD' }), 'd.vmdk'), /COWD/);
    refusedWith(() => checkVmdkHeader(sparseHeader({ version: 9 }), 'd.vmdk'), /version 9/);
    refusedWith(() => checkVmdkHeader(sparseHeader({ grain: 100n }), 'd.vmdk'), /power of two/);
    refusedWith(() => checkVmdkHeader(Buffer.alloc(100), 'd.vmdk'), /shorter/);
  });
});

it('qemu-img convert -p progress, as it prints it (carriage returns between)', () =>
  assert.deepEqual(
    progressPercents('    (0.00/100%)\r    (1.01/100%)\r    (100.00/100%)\r\n'),
    [0, 1.01, 100],
  ));

it('appliance names as VM names', () => {
  assert.equal(vmNameFrom('debian 12 (test)'), 'debian-12-test');
  assert.equal(vmNameFrom('Windows 11 x64'), 'Windows-11-x64');
  assert.equal(vmNameFrom('---'), 'imported-vm');
  assert.equal(vmNameFrom('x'.repeat(80)).length, 63);
});
