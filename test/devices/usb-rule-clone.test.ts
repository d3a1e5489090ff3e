/**
 * USB rules travel with a clone, as a user runs the commands (bin/phyllo, the real system daemon): a
 * VM `vm create` made gets two rules (one for a single device, by serial number) with `usb rule add`;
 * a linked and a full `vm clone` of it list the same rules with `usb rule list --vm CLONE`, and the
 * source keeps them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Libvirt } from '../../src/libvirt/index.js';
import type { UsbRuleChange, VmUsbRules } from '../../src/devices/usb-rule-store.js';
import { deleteVm } from '../../src/machines/delete-vm.js';
import { isRoot, uniqueName } from '../libvirt/helpers.js';
import { phyllo } from '../support/bin-phyllo.js';

const skip = !isRoot && 'needs root (the system daemon)';
let lv: Libvirt;
const vm = uniqueName('test-usbclone');
const linked = `${vm}-linked`;
const full = `${vm}-full`;
const RULES = ['1050:0407', '046d:c52b:0123ABCD'];

async function phylloJson<T>(...args: string[]): Promise<T> {
  const r = await phyllo(...args, '--connect', 'qemu:///system', '--json');
  assert.equal(r.code, 0, `phyllo ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
const listed = async (name: string) =>
  (await phylloJson<{ vms: VmUsbRules[] }>('usb', 'rule', 'list', '--vm', name)).vms;

before(async () => {
  if (!isRoot) return;
  lv = await connect('qemu:///system');
  await phylloJson(
    'vm',
    'create',
    vm,
    '--os',
    'linux',
    '--memory',
    '1G',
    '--disk-size',
    '16M',
    '--display',
    'none',
  );
});
after(async () => {
  if (!isRoot) return;
  for (const name of [linked, full, vm]) await deleteVm(lv, name, { force: true }).catch(() => undefined);
  await lv.close();
});

test('a linked and a full clone keep the USB rules, and so does the source', { skip }, async () => {
  for (const rule of RULES) await phylloJson<UsbRuleChange>('usb', 'rule', 'add', rule, '--vm', vm);
  const expected = (name: string): VmUsbRules[] => [
    {
      vm: name,
      rules: [
        { vendorId: '1050', productId: '0407', id: '1050:0407' },
        { vendorId: '046d', productId: 'c52b', serial: '0123ABCD', id: '046d:c52b:0123ABCD' },
      ],
    },
  ];
  assert.deepEqual(await listed(vm), expected(vm));

  const l = await phylloJson<{ linked: boolean }>('vm', 'clone', vm, linked);
  assert.equal(l.linked, true);
  const f = await phylloJson<{ linked: boolean }>('vm', 'clone', vm, full, '--full');
  assert.equal(f.linked, false);

  assert.deepEqual(await listed(linked), expected(linked));
  assert.deepEqual(await listed(full), expected(full));
  assert.deepEqual(await listed(vm), expected(vm), 'the source, moved onto its overlay, keeps them');

  // The clone's rules are its own: removing one there leaves the source's as they were.
  await phylloJson<UsbRuleChange>('usb', 'rule', 'remove', '1050:0407', '--vm', linked);
  assert.deepEqual(
    (await listed(linked))[0]?.rules.map((r) => r.id),
    ['046d:c52b:0123ABCD'],
  );
  assert.deepEqual(await listed(vm), expected(vm));
});
