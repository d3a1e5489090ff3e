import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PhyllomeError } from '../../src/errors.js';
import { buildModel } from '../../src/model/build-model.js';
import type { ModelOptions } from '../../src/model/options.js';
import { descriptorsOf, loadHost } from './fixtures.js';

const host = loadHost('this-host');

function fails(options: ModelOptions, code: string, message: RegExp, hint?: RegExp, h = host): void {
  assert.throws(
    () => buildModel(options, h),
    (e: unknown) => {
      assert.ok(e instanceof PhyllomeError, String(e));
      assert.equal(e.code, code);
      assert.match(e.message, message);
      if (hint) assert.match(e.hint ?? '', hint);
      return true;
    },
  );
}

describe('bad options are typed errors and no XML is produced', () => {
  it('memory below the OS minimum', () =>
    fails(
      { name: 'w', os: 'windows-11', memory: '2G' },
      'memory-below-minimum',
      /needs at least 4096 MiB/,
      /--memory 4096M/,
    ));
  it('memory above the host', () =>
    fails({ name: 'w', os: 'linux', memory: '64G' }, 'memory-above-host', /host only has 24105 MiB/));
  it('unknown OS id', () => fails({ name: 'w', os: 'plan10' }, 'unknown-os', /plan10/, /phyllo os list/));
  // Each bad name with the message naming what is wrong with it.
  for (const [name, message] of [
    ['a/b', /^The VM name "a\/b" contains "\/", which is not allowed$/],
    ['.hidden', /^The VM name ".hidden" contains ".", which is not allowed first$/],
    ['-x', /^The VM name "-x" contains "-", which is not allowed first$/],
    ['has space', /^The VM name "has space" contains " ", which is not allowed$/],
    ['x'.repeat(64), /^The VM name is 64 characters long; at most 63 are allowed$/],
    ['ünï', /^The VM name "ünï" contains "ü", which is not allowed$/],
    ['', /^The VM name is empty$/],
  ] as const)
    it(`name ${JSON.stringify(name)}`, () =>
      fails({ name, os: 'linux' }, 'invalid-name', message, /1-63 characters/));
  for (const [key, value] of [
    ['name', 'a<b'],
    ['iso', "/srv/it's.iso"],
    ['cmdline', 'console=ttyS0 x="1"'],
    ['drivers', '/a&b.iso'],
    ['network', 'net>'],
    ['serialLog', '/tmp/x\nlog'],
  ] as const)
    it(`XML-special character in ${key}`, () =>
      fails(
        { name: 'ok', os: 'linux', kernel: '/k', [key]: value } as ModelOptions,
        'unsafe-value',
        /not allowed/,
      ));
  it('malformed sizes and counts', () => {
    fails({ name: 'w', os: 'linux', memory: 'lots' }, 'invalid-option', /--memory must be a size/);
    fails({ name: 'w', os: 'linux', vcpus: '0' }, 'invalid-option', /--vcpus/);
    fails(
      { name: 'w', os: 'linux', vcpus: 1000 },
      'invalid-option',
      /more than the machine type allows \(288\)/,
    );
  });
  it('windows-11 without swtpm names the package', () =>
    fails(
      { name: 'w', os: 'windows-11' },
      'host-missing-component',
      /TPM 2.0/,
      /apt-get install swtpm/,
      loadHost('kvm-amd', { swtpm: false }),
    ));
  it('windows-11 without Secure Boot firmware names the package', () =>
    fails(
      { name: 'w', os: 'windows-11' },
      'host-missing-component',
      /Secure Boot/,
      /apt-get install ovmf/,
      loadHost('kvm-amd', {
        firmware: descriptorsOf(loadHost('kvm-amd')).filter((f) => !f.features.includes('enrolled-keys')),
      }),
    ));
  it('windows-10 without Secure Boot firmware falls back with a warning', () => {
    const h = loadHost('kvm-amd', {
      firmware: descriptorsOf(loadHost('kvm-amd')).filter((f) => !f.features.includes('secure-boot')),
    });
    const r = buildModel({ name: 'w', os: 'windows-10' }, h);
    assert.equal(r.spec.os.firmwareFeatures?.secureBoot, false);
    assert.ok(r.warnings.some((w) => w.includes('without Secure Boot')));
  });
});
