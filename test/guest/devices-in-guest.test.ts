/**
 * Devices that `bin/phyllo` adds, seen from inside the test guest on the real system daemon (TCG):
 * a virtiofs share added by `vm share` is mounted by the guest, which reads a file the host wrote
 * there; a card added by `vm nic add` is a second interface in the guest's report.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, UndefineFlags, type Libvirt } from '../../src/libvirt/index.js';
import type { NicAddOutcome } from '../../src/devices/nic.js';
import type { ShareAddOutcome } from '../../src/devices/share.js';
import { isRoot, uniqueName } from '../libvirt/helpers.js';
import { phyllo } from '../support/bin-phyllo.js';
import {
  SHARE_FILE,
  testGuestDomainXml,
  VIRTIO_DEVICE_ID,
  waitForReport,
  type TestGuestDomainOptions,
} from '../support/test-guest.js';

const skip = !isRoot && 'needs root (the system daemon)';
let lv: Libvirt;
let dir: string;
const made: string[] = [];
/** Whether this file started the default network (it stops it again afterwards). */
let startedDefaultNetwork = false;

/** `bin/phyllo ARGS --json` against the system daemon; its JSON document, or a failure naming its stderr. */
async function phylloJson<T>(...args: string[]): Promise<T> {
  const r = await phyllo(...args, '--connect', 'qemu:///system', '--json');
  assert.equal(r.code, 0, `phyllo ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Defines a test guest that powers off after its report, logged to its own serial file. */
async function defineGuest(
  name: string,
  opts: Omit<TestGuestDomainOptions, 'name' | 'serialFile'>,
): Promise<string> {
  const serialFile = join(dir, `${name}.serial.log`);
  made.push(name);
  await lv.domains.define(testGuestDomainXml({ name, serialFile, poweroffAfterReport: true, ...opts }));
  return serialFile;
}

before(async () => {
  if (!isRoot) return;
  dir = mkdtempSync(join(tmpdir(), 'phyllo-guest-devices-'));
  chmodSync(dir, 0o755);
  lv = await connect('qemu:///system');
});
after(async () => {
  if (!isRoot) return;
  for (const name of made) {
    const d = await lv.domains.lookup(name).catch(() => undefined);
    await d?.destroy().catch(() => undefined);
    await d?.undefine(UndefineFlags.NVRAM | UndefineFlags.TPM).catch(() => undefined);
  }
  if (startedDefaultNetwork) await (await lv.networks.lookup('default')).destroy().catch(() => undefined);
  await lv.close();
  rmSync(dir, { recursive: true, force: true });
});

test(
  'vm share: the guest mounts the virtiofs share and reads the file the host wrote in it',
  { skip },
  async () => {
    const name = uniqueName('test-share');
    const shared = join(dir, 'shared');
    mkdirSync(shared, { mode: 0o755 });
    const token = `token-${randomBytes(8).toString('hex')}`;
    writeFileSync(join(shared, SHARE_FILE), `${token}\nsecond line\n`, { mode: 0o644 });
    const tag = 'phyllo-data';
    const serialFile = await defineGuest(name, { shareTag: tag });

    const added = await phylloJson<ShareAddOutcome>('vm', 'share', name, shared, '--tag', tag);
    assert.equal(added.applies, 'next-start');
    assert.equal(added.sharedMemoryAdded, true, 'the test guest had no shared memory: vm share adds it');
    assert.equal(added.mount, `mount -t virtiofs ${tag} /mnt`);

    await (await lv.domains.lookup(name)).start();
    const report = await waitForReport(serialFile);
    assert.equal(report.share, token, 'the first line of the host file, read in the guest');
  },
);

test('vm nic add: the second card is a second interface in the guest', { skip }, async () => {
  const net = await lv.networks.lookup('default');
  if (!(await net.isActive())) {
    await net.start();
    startedDefaultNetwork = true;
  }
  const name = uniqueName('test-nic');
  const serialFile = await defineGuest(name, { userNetwork: true });

  const added = await phylloJson<NicAddOutcome>('vm', 'nic', 'add', name);
  assert.equal(added.applies, 'next-start');
  assert.deepEqual([added.nic.type, added.nic.source, added.nic.model], ['network', 'default', 'virtio']);

  await (await lv.domains.lookup(name)).start();
  const report = await waitForReport(serialFile);
  assert.deepEqual(report.net, ['eth0', 'eth1']);
  assert.equal(report.virtio.filter((id) => id === VIRTIO_DEVICE_ID.net).length, 2, 'two virtio-net cards');
  assert.equal(report.share, null, 'no phyllo.share= word, no share');
});
