/**
 * `vm delete --force` of a transient VM (started from XML, never defined: libvirt forgets it when it
 * stops) powers it off and succeeds, instead of failing on the undefine of a domain that is gone.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, isNotFound, type Libvirt } from '../../src/libvirt/index.js';
import { deleteVm } from '../../src/machines/delete-vm.js';
import { uniqueName } from '../libvirt/helpers.js';
import { testGuestDomainXml } from '../support/test-guest.js';

const name = uniqueName('delete-transient');
let lv: Libvirt;

before(async () => {
  lv = await connect('qemu:///system');
  await lv.domains.create(testGuestDomainXml({ name }));
});

after(async () => {
  await (await lv.domains.lookup(name).catch(() => undefined))?.destroy().catch(() => undefined);
  await lv.close();
});

test('a running transient VM is powered off and the delete succeeds; it is gone from libvirt', async () => {
  const result = await deleteVm(lv, name, { force: true });
  assert.equal(result.poweredOff, true);
  await assert.rejects(lv.domains.lookup(name), (err: unknown) => isNotFound(err));
});
