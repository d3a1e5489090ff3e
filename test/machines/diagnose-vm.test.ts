/**
 * `vm start` failures and `vm diagnose` on real daemons: a removed ISO, a missing kernel, a device
 * QEMU refuses, and an emulated TPM on a host whose libvirt has no swtpm (the second host hides it in
 * its own mount namespace; this machine's swtpm stays as it is).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, UndefineFlags, type Libvirt } from '../../src/libvirt/index.js';
import { diagnoseVm } from '../../src/machines/diagnose-vm.js';
import { startVm } from '../../src/machines/vm-power.js';
import { VmStartError } from '../../src/machines/power-errors.js';
import { testGuestDomainXml, testGuestPaths } from '../support/test-guest.js';
import { startSecondHost, type SecondHost } from '../support/second-host.js';
import { uniqueName } from '../libvirt/helpers.js';

let lv: Libvirt;
// Below libvirt's images folder: QEMU (as libvirt-qemu) must be able to reach a file that is there.
const dir = mkdtempSync('/var/lib/libvirt/images/phyllo-diagnose-');
chmodSync(dir, 0o755);
const defined: { lv: () => Libvirt; name: string }[] = [];

before(async () => {
  lv = await connect('qemu:///system');
});
after(async () => {
  for (const d of defined) {
    const dom = await d
      .lv()
      .domains.lookup(d.name)
      .catch(() => undefined);
    await dom?.destroy().catch(() => undefined);
    await dom?.undefine(UndefineFlags.NVRAM | UndefineFlags.TPM).catch(() => undefined);
  }
  await lv.close();
  rmSync(dir, { recursive: true, force: true });
});

async function failedStart(conn: Libvirt, name: string): Promise<VmStartError> {
  const err = await startVm(conn, name).then(
    () => assert.fail('the start should have failed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof VmStartError, String(err));
  assert.equal(err.code, 'vm-start-failed');
  assert.ok(err.diagnosis, 'the failed start carries its diagnosis');
  return err;
}

const ids = (e: VmStartError) => e.diagnosis!.findings.map((f) => f.id);

test('an ISO that was removed: the start fails, the diagnosis names the file; a start that works forgets the failure', async () => {
  const iso = join(dir, 'install.iso');
  writeFileSync(iso, Buffer.alloc(64 * 1024));
  const name = uniqueName('diag-iso');
  defined.push({ lv: () => lv, name });
  const cdrom = `<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='${iso}'/><target dev='sda' bus='sata'/><readonly/></disk>`;
  await lv.domains.define(testGuestDomainXml({ name, extraDevices: cdrom }));
  rmSync(iso);
  const err = await failedStart(lv, name);
  const missing = err.diagnosis!.findings.find((f) => f.id === 'file.missing');
  assert.ok(missing, ids(err).join(','));
  assert.equal(missing.severity, 'problem');
  assert.match(missing.summary, new RegExp(`CD-ROM image \\(ISO\\) ${iso} does not exist`));
  assert.match(missing.fix, /eject/);
  assert.match(err.hint ?? '', /does not exist/, 'the hint names the cause');
  // Kept in the VM's metadata: a later diagnose (another process, another machine) sees it.
  const later = await diagnoseVm(lv, await lv.domains.lookup(name));
  assert.match(later.lastStartFailure?.message ?? '', /install\.iso|No such file/);
  assert.equal(later.state, 'shutoff');

  writeFileSync(iso, Buffer.alloc(64 * 1024));
  await startVm(lv, name);
  const ok = await diagnoseVm(lv, await lv.domains.lookup(name));
  assert.equal(ok.lastStartFailure, undefined, 'a start that worked clears the failure');
  assert.deepEqual(ok.findings, []);
});

test('a missing kernel file and a device QEMU refuses: each diagnosis names the cause', async () => {
  const kernel = join(dir, 'vmlinuz');
  copyFileSync(testGuestPaths().kernel, kernel);
  const name = uniqueName('diag-kernel');
  defined.push({ lv: () => lv, name });
  const paths = { kernel, initrd: testGuestPaths().initrd };
  await lv.domains.define(testGuestDomainXml({ name, paths }));
  rmSync(kernel);
  const noKernel = await failedStart(lv, name);
  const missing = noKernel.diagnosis!.findings.find((f) => f.id === 'file.missing');
  assert.match(missing?.summary ?? ids(noKernel).join(','), new RegExp(`kernel ${kernel} does not exist`));

  const bad = uniqueName('diag-qemu');
  defined.push({ lv: () => lv, name: bad });
  const xml = testGuestDomainXml({ name: bad })
    .replace(
      "<domain type='qemu'>",
      "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>",
    )
    .replace(
      '</domain>',
      "<qemu:commandline><qemu:arg value='-device'/><qemu:arg value='phyllo-no-such-device'/></qemu:commandline></domain>",
    );
  await lv.domains.define(xml);
  const refused = await failedStart(lv, bad);
  const qemu = refused.diagnosis!.findings.find((f) => f.id === 'qemu.refused');
  assert.match(qemu?.summary ?? ids(refused).join(','), /phyllo-no-such-device.*not a valid device model/);
  assert.match(
    refused.diagnosis!.qemuLog.tail ?? '',
    /phyllo-no-such-device/,
    'the QEMU log’s end is read here',
  );
  assert.ok(!ids(refused).includes('file.missing'));
});

/**
 * Hides swtpm from the second host's daemon only: /dev/null is bound over /usr/bin/swtpm inside that
 * daemon's own mount namespace (entered with nsenter), so this machine's swtpm is untouched.
 */
function hideSwtpmIn(secondHostNetns: string): void {
  const pids = execFileSync('ip', ['netns', 'pids', secondHostNetns], { encoding: 'utf8' })
    .split(/\s+/)
    .filter(Boolean);
  const daemon = pids.find((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'libvirtd');
  assert.ok(daemon, `no libvirtd in ${secondHostNetns}`);
  execFileSync('nsenter', ['-t', daemon, '-m', 'mount', '--bind', '/dev/null', '/usr/bin/swtpm']);
}

test('an emulated TPM on a host that lost swtpm: the start fails and the diagnosis says why, naming that host', async (t) => {
  let hostB: SecondHost;
  try {
    hostB = await startSecondHost();
  } catch (err) {
    t.skip(`no second host here: ${(err as Error).message}`);
    return;
  }
  const b = await connect(hostB.uri);
  const name = uniqueName('diag-tpm');
  try {
    // Defined while swtpm is there (libvirt refuses an emulated TPM at define without it), then lost.
    await b.domains.define(testGuestDomainXml({ name, tpm: true }));
    hideSwtpmIn(hostB.netns);
    const err = await failedStart(b, name);
    const tpm = err.diagnosis!.findings.find((f) => f.id === 'tpm.no-swtpm');
    assert.ok(tpm, ids(err).join(',') + ' / ' + err.message);
    assert.match(tpm.summary, /no TPM emulator \(swtpm\)/);
    assert.match(tpm.summary, new RegExp(hostB.address.replace(/\./g, '\\.')));
    assert.match(err.diagnosis!.qemuLog.note ?? '', /read it there/, 'a remote log is not read from here');
  } finally {
    const dom = await b.domains.lookup(name).catch(() => undefined);
    await dom?.undefine(UndefineFlags.TPM).catch(() => undefined);
    await b.close();
    await hostB.stop();
  }
});
