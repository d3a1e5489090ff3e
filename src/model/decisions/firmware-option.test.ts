/** The `firmware` option (an imported disk's): it wins over the profile's firmware, both ways. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadHost } from '../../../test/model/fixtures.js';
import { PhyllomeError } from '../../errors.js';
import { buildModel } from '../build-model.js';
import { modelOptionsFromFlags } from '../options.js';

const host = loadHost('this-host');
const efi = (xml: string) => /<os firmware='efi'>/.test(xml);

describe('the firmware option', () => {
  it('BIOS for a profile that boots UEFI (linux), said in the decisions', () => {
    const m = buildModel({ name: 'x', os: 'linux', firmware: 'bios' }, host);
    assert.equal(efi(m.xml), false);
    assert.ok(m.decisions.some((d) => /installed to boot from the legacy PC BIOS/.test(d.reason)));
    assert.equal(efi(buildModel({ name: 'x', os: 'linux' }, host).xml), true, 'the profile alone: UEFI');
  });
  it('UEFI for a profile that boots BIOS (reactos)', () => {
    assert.equal(efi(buildModel({ name: 'x', os: 'reactos', firmware: 'efi' }, host).xml), true);
    assert.equal(efi(buildModel({ name: 'x', os: 'reactos' }, host).xml), false);
  });
  it('UEFI on a host without UEFI firmware is an error, not a BIOS that would not boot the disk', () =>
    assert.throws(
      () => buildModel({ name: 'x', os: 'linux', firmware: 'efi' }, { ...host, firmware: [] }),
      (e: unknown) => e instanceof PhyllomeError && /installed for UEFI/.test(e.message),
    ));
  it('is read from the recorded options, and only efi or bios', () => {
    assert.equal(modelOptionsFromFlags({ firmware: 'bios' }, 'x', 'linux').firmware, 'bios');
    assert.throws(() => modelOptionsFromFlags({ firmware: 'coreboot' }, 'x', 'linux'), /efi, bios/);
  });
});
