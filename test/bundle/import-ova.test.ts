/**
 * `vm import-ova` through bin/phyllo on the real daemon, with OVAs built here as VirtualBox and
 * ovftool build them: the fixture OVF, a streamOptimized VMDK made by qemu-img from a 16 MiB raw
 * image of known content, a SHA256 manifest, in a ustar archive (`tar --format=ustar`).
 * - the VirtualBox (UEFI, TPM) one: the domain has its memory, vCPUs, UEFI and MAC, a TPM, and a
 *   disk whose guest-visible data is the raw image's; vm info reads it; vm delete removes the disk;
 * - the VMware (BIOS) one under --name: BIOS, its memory and vCPU, a new MAC;
 * - a flipped byte in the VMDK is refused by the manifest, and a VMDK whose manifest matches but
 *   whose data qemu-img cannot read fails the conversion: neither leaves a domain or a file;
 * - a cancel during the conversion leaves nothing either;
 * - the API's POST /api/vms/import-ova with the OVA as the raw body: the same VM, and a damaged OVA
 *   refused in the error shape, leaving nothing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { importOva } from '../../src/bundle/ova/import-ova.js';
import { connect, isNotFound, type Libvirt } from '../../src/libvirt/index.js';
import { gatherModelHostFacts } from '../../src/machines/model-host-facts.js';
import { uniqueName } from '../libvirt/helpers.js';
import { phyllo } from '../support/bin-phyllo.js';
import { testApi } from '../support/api-server.js';
import { ovaKit, type OvaKit } from '../support/ova.js';

const URI = 'qemu:///system';
const IMAGES = '/var/lib/libvirt/images';
const dir = mkdtempSync(join(tmpdir(), 'phyllo-ova-test-'));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let lv: Libvirt;
let rawSha = '';
let kit: OvaKit;
const buildOva: OvaKit['build'] = (...args) => kit.build(...args);
const vbName = uniqueName('ova-vb');
const vmwName = uniqueName('ova-vmw');
const badName = uniqueName('ova-bad');
const cancelName = uniqueName('ova-cancel');
const apiName = uniqueName('ova-api');

/** The guest-visible data of an image, hashed. */
function guestSha(img: string): string {
  const out = join(dir, `flat-${Math.random()}.raw`);
  execFileSync('qemu-img', ['convert', '-U', '-O', 'raw', img, out]);
  const h = sha(readFileSync(out));
  rmSync(out);
  return h;
}

/** Names an import may leave in the pool's directory. */
const ours = (names: string[]) => readdirSync(IMAGES).filter((n) => names.some((x) => n.includes(x)));
/**
 * Hidden files an OVA import makes (its VMDK and qcow2; a bundle import's, `…-TARGET.raw`, come from
 * other test files running at the same time).
 */
const hidden = () =>
  new Set(readdirSync(IMAGES).filter((n) => n.startsWith('.phyllo-import-') && /\.(vmdk|qcow2)$/.test(n)));
const json = <T>(r: { stdout: string }) => JSON.parse(r.stdout) as T;

before(async () => {
  lv = await connect(URI);
  kit = ovaKit(dir);
  rawSha = kit.rawSha;
});
after(async () => {
  for (const n of [`${vbName}-test`, vmwName, badName, cancelName, apiName])
    await phyllo('vm', 'delete', n, '--force', '--connect', URI);
  await lv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a VirtualBox 7 OVA (UEFI, TPM 2.0): memory, vCPUs, firmware, MAC and the disk’s data arrive; vm delete removes it', async () => {
  // "phyllo-ova-vb-1234abcd (test)" as the appliance's name: made a VM name.
  const system = `${vbName} (test)`;
  const ova = buildOva('virtualbox-7-debian.ovf', 'debian-disk001.vmdk', system);
  const r = await phyllo('vm', 'import-ova', ova, '--connect', URI, '--json');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const vm = json<{
    name: string;
    disk: string;
    os: { id: string };
    memoryMiB: number;
    vcpus: number;
    firmware: string;
    tpm: boolean;
    manifestChecked: boolean;
    changes: string[];
    notCarried: { kind: string; detail: string }[];
  }>(r);
  assert.equal(vm.name, `${vbName}-test`);
  assert.equal(vm.os.id, 'linux');
  assert.equal(vm.manifestChecked, true);
  assert.deepEqual([vm.memoryMiB, vm.vcpus, vm.firmware], [1536, 2, 'efi']);
  const kinds = vm.notCarried.map((n) => n.kind);
  for (const k of ['nic', 'sound', 'usb', 'shared-folder', 'tpm-state', 'vendor-setting'])
    assert.ok(kinds.includes(k), `${k} is listed as not carried over: ${kinds.join(' ')}`);
  assert.ok(
    vm.changes.some((c) => /^name: /.test(c)),
    vm.changes.join('\n'),
  );

  const xml = await (await lv.domains.lookup(vm.name)).xml();
  assert.match(xml, /<memory unit='KiB'>1572864<\/memory>/);
  assert.match(xml, /<vcpu placement='static'>2<\/vcpu>/);
  assert.match(xml, /<os firmware='efi'>/);
  assert.match(xml, /<mac address='08:00:27:c0:8e:7c'\/>/, 'the first NIC’s MAC from vbox:Machine');
  assert.equal(/<tpm /.test(xml), vm.tpm);
  assert.ok(xml.includes(`<source file='${vm.disk}'/>`));
  assert.match(xml, /<driver name='qemu' type='qcow2'/);
  assert.equal(guestSha(vm.disk), rawSha, 'the guest sees the VMDK’s data, byte for byte');
  assert.deepEqual(
    [...hidden()].filter((n) => n.includes(vm.name)),
    [],
    'no hidden file left',
  );

  const info = await phyllo('vm', 'info', vm.name, '--connect', URI, '--json');
  assert.equal(info.code, 0, info.stdout + info.stderr);
  const del = await phyllo('vm', 'delete', vm.name, '--connect', URI);
  assert.equal(del.code, 0, del.stderr);
  assert.deepEqual(ours([vm.name]), [], 'vm delete removed the imported disk');
});

test('a VMware ovftool OVA (BIOS, SCSI, vmxnet3) under --name: BIOS, its memory and vCPU, a new MAC', async () => {
  const ova = buildOva('vmware-ovftool-ubuntu.ovf', 'ubuntu-server-disk1.vmdk', 'ubuntu-server');
  const r = await phyllo('vm', 'import-ova', ova, '--name', vmwName, '--connect', URI);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /from VMware appliance "ubuntu-server"/);
  assert.match(r.stdout, /1024 MiB memory, 1 vCPU, BIOS/);
  assert.match(r.stdout, /Not carried over:\n(.*\n)* {2}- floppy: /);
  const xml = await (await lv.domains.lookup(vmwName)).xml();
  assert.doesNotMatch(xml, /<os firmware='efi'>/);
  assert.match(xml, /<memory unit='KiB'>1048576<\/memory>/);
  assert.doesNotMatch(xml, /00:50:56:8c:1e:04/, 'a new name gets a new MAC');
  assert.equal(guestSha(join(IMAGES, `${vmwName}.qcow2`)), rawSha);
});

test('a flipped byte in the VMDK is refused by the manifest: no domain, no file', async () => {
  const good = kit.vmdk();
  const flipped = Buffer.from(good);
  flipped[good.length >> 1] = flipped[good.length >> 1]! ^ 0x01;
  const ova = buildOva('vmware-ovftool-ubuntu.ovf', 'ubuntu-server-disk1.vmdk', 'ubuntu-server', {
    vmdk: flipped,
    manifestDisk: good,
  });
  const before = hidden();
  const r = await phyllo('vm', 'import-ova', ova, '--name', badName, '--connect', URI, '--json');
  assert.equal(r.code !== 0, true);
  const err = json<{ error: { code: string; message: string } }>(r).error;
  assert.equal(err.code, 'ova-invalid');
  assert.match(err.message, /ubuntu-server-disk1\.vmdk does not match its manifest/);
  await assert.rejects(lv.domains.lookup(badName), (e: unknown) => isNotFound(e));
  assert.deepEqual(ours([badName]), []);
  assert.deepEqual(
    [...hidden()].filter((n) => !before.has(n)),
    [],
    'no hidden file left',
  );
});

test('a VMDK qemu-img cannot read (its manifest matching) fails the conversion: no domain, no file', async () => {
  const bad = Buffer.from(kit.vmdk());
  // Inside the compressed grains of the random MiB: the header and grain directory stay readable.
  const at = bad.length >> 1;
  for (let i = at; i < at + 64; i++) bad[i] = bad[i]! ^ 0xff;
  const ova = buildOva('vmware-ovftool-ubuntu.ovf', 'ubuntu-server-disk1.vmdk', 'ubuntu-server', {
    vmdk: bad,
  });
  const before = hidden();
  const r = await phyllo('vm', 'import-ova', ova, '--name', badName, '--connect', URI, '--json');
  const err = json<{ error: { code: string; message: string } }>(r).error;
  assert.equal(err.code, 'ova-disk-unreadable', err.message);
  await assert.rejects(lv.domains.lookup(badName), (e: unknown) => isNotFound(e));
  assert.deepEqual(ours([badName]), []);
  assert.deepEqual(
    [...hidden()].filter((n) => !before.has(n)),
    [],
  );
});

test('a cancel while the disk converts leaves no domain and no file', async () => {
  const ova = buildOva('vmware-ovftool-ubuntu.ovf', 'ubuntu-server-disk1.vmdk', 'ubuntu-server');
  const host = await gatherModelHostFacts(lv);
  const before = hidden();
  const abort = new AbortController();
  const phases: string[] = [];
  await assert.rejects(
    importOva(lv, ova, host, {
      name: cancelName,
      signal: abort.signal,
      progress: (phase) => {
        if (!phases.includes(phase)) phases.push(phase);
        if (phase === 'converting the disk') abort.abort(new Error('cancelled by the test'));
      },
    }),
    /cancelled by the test/,
  );
  assert.deepEqual(phases, ['reading the OVA', 'converting the disk']);
  await assert.rejects(lv.domains.lookup(cancelName), (e: unknown) => isNotFound(e));
  assert.deepEqual(ours([cancelName]), []);
  assert.deepEqual(
    [...hidden()].filter((n) => !before.has(n)),
    [],
  );
});

test('POST /api/vms/import-ova: the OVA as the raw body makes the same VM (201, the disk byte for byte, what was not carried over); a damaged one is refused in the API’s error shape and leaves nothing', async () => {
  const api = await testApi();
  try {
    const ova = readFileSync(
      buildOva('vmware-ovftool-ubuntu.ovf', 'ubuntu-server-disk1.vmdk', 'ubuntu-server'),
    );
    const res = await api.call('POST', `/api/vms/import-ova?name=${apiName}`, ova, {
      'content-type': 'application/octet-stream',
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers.location, `/api/vms/${apiName}`);
    const vm = res.json<{ name: string; disk: string; firmware: string; notCarried: { kind: string }[] }>();
    assert.equal(vm.name, apiName);
    assert.equal(vm.firmware, 'bios');
    assert.ok(vm.notCarried.length > 0, 'what could not be carried over is listed');
    assert.equal(guestSha(vm.disk), rawSha, 'the disk arrived byte for byte');
    const job = api.jobs.list().find((j) => j.kind === 'import-ova' && j.vm === apiName);
    assert.equal(job?.state, 'done', 'it ran as a job');

    const flipped = kit.vmdk();
    const mid = flipped.length >> 1;
    flipped[mid] = flipped[mid]! ^ 0xff;
    const bad = readFileSync(
      buildOva('vmware-ovftool-ubuntu.ovf', 'ubuntu-server-disk1.vmdk', 'ubuntu-server', {
        vmdk: flipped,
        manifestDisk: kit.vmdk(),
      }),
    );
    const before = hidden();
    const refused = await api.call('POST', `/api/vms/import-ova?name=${apiName}-bad`, bad, {
      'content-type': 'application/octet-stream',
    });
    assert.equal(refused.statusCode, 422, refused.body);
    assert.equal(refused.json<{ error: { code: string } }>().error.code, 'ova-invalid');
    await assert.rejects(lv.domains.lookup(`${apiName}-bad`), isNotFound, 'no domain');
    assert.deepEqual(ours([`${apiName}-bad`]), [], 'no disk');
    assert.deepEqual(
      [...hidden()].filter((n) => !before.has(n)),
      [],
      'no hidden file',
    );
  } finally {
    await api.close();
  }
});
