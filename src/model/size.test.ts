import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kibText, mibText, parseDiskMiB, parseMemoryKiB, parseSizeBytes } from './size.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

describe('sizes', () => {
  it('reads every unit: B, binary K/M/G/T with or without iB, decimal KB/MB/GB/TB, any case, optional space', () => {
    const cases: [string, number][] = [
      ['4096B', 4096],
      ['4096 b', 4096],
      ['8K', 8 * KiB],
      ['8KiB', 8 * KiB],
      ['8kib', 8 * KiB],
      ['8KB', 8000],
      ['8kb', 8000],
      ['512M', 512 * MiB],
      ['512 MiB', 512 * MiB],
      ['512MB', 512e6],
      ['4G', 4 * GiB],
      ['4g', 4 * GiB],
      ['4 GiB', 4 * GiB],
      ['4GB', 4e9],
      ['1.5G', 1.5 * GiB],
      ['1.5 gib', 1.5 * GiB],
      ['.5G', 0.5 * GiB],
      ['2.T', 2 * 1024 * GiB],
      ['2T', 2 * 1024 * GiB],
      ['2TiB', 2 * 1024 * GiB],
      ['2TB', 2e12],
      [' 4G ', 4 * GiB],
    ];
    for (const [text, bytes] of cases) assert.equal(parseSizeBytes('--memory', text, 'MiB'), bytes, text);
  });

  it('a bare number is MiB for --memory and GiB for --disk-size', () => {
    assert.equal(parseMemoryKiB('4096'), 4096 * 1024);
    assert.equal(parseMemoryKiB(2048), 2048 * 1024);
    assert.equal(parseMemoryKiB('1.5'), 1536);
    assert.equal(parseDiskMiB('64'), 64 * 1024);
    assert.equal(parseDiskMiB(1), 1024);
  });

  it('memory is rounded to the KiB libvirt stores', () => {
    assert.equal(parseMemoryKiB('4G'), 4 * 1024 * 1024);
    assert.equal(parseMemoryKiB('1.5G'), 1.5 * 1024 * 1024);
    assert.equal(parseMemoryKiB('1000MB'), Math.round(1e9 / 1024));
    assert.equal(parseMemoryKiB(`${MiB + 1600}B`), 1026);
  });

  it('disk sizes are rounded up to whole MiB', () => {
    assert.equal(parseDiskMiB('64G'), 64 * 1024);
    assert.equal(parseDiskMiB('1M'), 1);
    assert.equal(parseDiskMiB('1.5M'), 2);
    assert.equal(parseDiskMiB('500GB'), Math.ceil(500e9 / MiB));
    assert.equal(parseDiskMiB('1.5t'), 1.5 * 1024 * 1024);
  });

  it('--memory 4096B is 4 KiB, not 4 GiB: too small, and the error says so', () => {
    assert.throws(() => parseMemoryKiB('4096B'), {
      code: 'invalid-option',
      message: '--memory must be at least 1 MiB; "4096B" is 4096 bytes',
      hint: /K\/M\/G\/T .* powers of 1024, KB\/MB\/GB\/TB powers of 1000, B is bytes; a bare number is in MiB/,
    });
  });

  it('--disk-size 100K is an error, not a 0 GiB disk', () => {
    assert.throws(() => parseDiskMiB('100K'), {
      code: 'invalid-option',
      message: '--disk-size must be at least 1 MiB; "100K" is 102400 bytes',
      hint: /a bare number is in GiB/,
    });
  });

  it('zero and nonsense are errors naming the flag and the accepted forms', () => {
    for (const bad of ['0', '0G', '0.0001K', '0B'])
      assert.throws(() => parseMemoryKiB(bad), {
        code: 'invalid-option',
        message: /^--memory must be at least 1 MiB/,
      });
    for (const bad of [
      '4 apples',
      'G',
      '',
      ' ',
      '4GG',
      '4 G B',
      '-4G',
      '4,5G',
      '1e3M',
      'Infinity',
      '4Gi',
      '4 PiB',
      '0x10M',
    ])
      assert.throws(() => parseDiskMiB(bad), {
        code: 'invalid-option',
        message: `--disk-size must be a size, not ${JSON.stringify(bad)}`,
        hint: /^Use a number with a unit, e\.g\. 64G/,
      });
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      assert.throws(() => parseMemoryKiB(bad), { code: 'invalid-option', message: /^--memory must be/ });
    assert.throws(() => parseDiskMiB('99999999999T'), { message: /between 1 MiB and 8 PiB/ });
  });

  it('says sizes the way users read them', () => {
    assert.equal(kibText(4096 * 1024), '4096 MiB');
    assert.equal(kibText(1026), '1026 KiB');
    assert.equal(mibText(64 * 1024), '64 GiB');
    assert.equal(mibText(1500), '1500 MiB');
  });
});
