/**
 * `vm export` and `vm import` through bin/phyllo on the real daemon:
 * - a `windows-11` VM (UEFI with Secure Boot, TPM 2.0) started once, so OVMF and swtpm made its NVRAM
 *   and TPM state, with data written into its qcow2 disk by qemu-io: exported (uncompressed), deleted,
 *   imported: the same UUID, the UEFI variables and TPM state byte for byte, the disk's guest-visible
 *   content identical, the same profile and settings;
 * - a `linux` VM booting the test guest (direct kernel boot, TPM) exported with zstd, deleted,
 *   imported: it boots the test guest again (its kernel and initrd travelled in the bundle); the
 *   bundle with one byte of disk data changed is refused, and leaves no domain and no file behind;
 * - a VM with a second disk (SATA, raw, of a size no multiple of 4 KiB) added by hand: both disks
 *   travel and come back byte for byte, the second on its bus under its target, its USB rule with it, and vm delete removes both.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, DomainXmlFlags, isNotFound, type Libvirt } from '../../src/libvirt/index.js';
import { importVm } from '../../src/bundle/import-vm.js';
import { gatherModelHostFacts } from '../../src/machines/model-host-facts.js';
import { parseDomainCapabilities } from '../../src/model/domain-capabilities.js';
import type { ModelHostFacts } from '../../src/model/host-facts.js';
import { NVRAM_DIR, SWTPM_DIR } from '../../src/machines/state-files.js';
import { uniqueName } from '../libvirt/helpers.js';
import { BIN, phyllo, run } from '../support/bin-phyllo.js';
import { mountTmpfs, tmpfsPool } from '../support/tmpfs.js';
import { POWEROFF_CMDLINE, testGuestCreateArgs } from '../support/test-guest.js';
import { bootOnce, IMAGES, writePattern } from '../support/uefi-guest.js';
import { waitFor } from '../support/wait.js';

const URI = 'qemu:///system';
let lv: Libvirt;
const dir = mkdtempSync(join(tmpdir(), 'phyllo-bundle-test-'));
const win = uniqueName('bundle-win');
const name = uniqueName('bundle');
const big = uniqueName('bundle-big');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** The guest-visible content of a disk image (its whole chain), hashed. */
const guestSha = (img: string) => {
  const out = join(dir, `flat-${Math.random()}.raw`);
  execFileSync('qemu-img', ['convert', '-U', '-O', 'raw', img, out]);
  const h = sha(readFileSync(out));
  rmSync(out);
  return h;
};
const tpmFiles = (uuid: string) => {
  const root = join(SWTPM_DIR, uuid);
  return Object.fromEntries(
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name !== '.lock')
      .map((e) => [
        join(e.parentPath, e.name).slice(root.length + 1),
        sha(readFileSync(join(e.parentPath, e.name))),
      ]),
  );
};
/** What an import may leave in the directories it writes to. */
const leftovers = () =>
  [IMAGES, NVRAM_DIR, SWTPM_DIR, '/var/lib/libvirt/boot'].flatMap((d) =>
    readdirSync(d)
      .filter((n) => n.startsWith('.phyllo-import-') || n.startsWith(name))
      .map((n) => join(d, n)),
  );
const json = <T>(r: { stdout: string }) => JSON.parse(r.stdout) as T;
const ok = (r: { code: number; stdout: string; stderr: string }) =>
  assert.equal(r.code, 0, r.stdout + r.stderr);

/** Exports `vm` to DIR/vm.phyllome, deletes it, imports it again; returns the bundle and the import's JSON. */
async function roundTrip(vm: string, ...exportArgs: string[]) {
  const bundle = join(dir, `${vm}.phyllome`);
  ok(await phyllo('vm', 'export', vm, bundle, ...exportArgs, '--connect', URI, '--json'));
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.includes('partial')),
    [],
    'no temporary file left',
  );
  ok(await phyllo('vm', 'delete', vm, '--connect', URI));
  await assert.rejects(lv.domains.lookup(vm), (e: unknown) => isNotFound(e));
  const imported = await phyllo('vm', 'import', bundle, '--connect', URI, '--json');
  ok(imported);
  return { bundle, vm: json<{ uuid: string; disk: string; nvram?: string; tpmState?: string }>(imported) };
}

before(async () => {
  lv = await connect(URI);
});
after(async () => {
  for (const n of [
    win,
    `${win}-kvm`,
    `${win}-tokvm`,
    `${win}-full`,
    name,
    `${name}-b`,
    `${name}-p`,
    big,
    `${big}-again`,
  ])
    await phyllo('vm', 'delete', n, '--force', '--connect', URI);
  await lv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('windows-11 started once: NVRAM, TPM state and disk come back byte for byte, with its UUID and settings', async () => {
  const created = await phyllo(
    'vm',
    'create',
    win,
    '--os',
    'windows-11',
    '--disk-size',
    '64M',
    '--connect',
    URI,
    '--json',
  );
  ok(created);
  const { uuid, disk } = json<{ uuid: string; disk: string }>(created);
  const dom = await lv.domains.lookup(win);
  await dom.start();
  const nvram = join(NVRAM_DIR, `${win}_VARS.fd`);
  await waitFor('its NVRAM and TPM state', async () =>
    existsSync(nvram) && existsSync(join(SWTPM_DIR, uuid, 'tpm2', 'tpm2-00.permall')) ? true : undefined,
  );
  const running = await phyllo(
    'vm',
    'export',
    win,
    join(dir, 'running.phyllome'),
    '--connect',
    URI,
    '--json',
  );
  assert.equal(
    json<{ error: { code: string } }>(running).error.code,
    'vm-wrong-state',
    'a running VM is not exported',
  );
  assert.ok(!existsSync(join(dir, 'running.phyllome')));
  await dom.destroy();
  await writePattern(disk, 0x5a, 4 << 20, 1 << 20);
  await writePattern(disk, 0xa5, 60 << 20, 64 << 10);
  const before = { nvram: sha(readFileSync(nvram)), tpm: tpmFiles(uuid), disk: guestSha(disk) };
  const info = json<Record<string, unknown>>(await phyllo('vm', 'info', win, '--connect', URI, '--json'));

  const { bundle, vm } = await roundTrip(win, '--compress', 'none');
  const listing = execFileSync('tar', ['-tf', bundle], { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(listing.slice(0, 4), ['manifest.json', 'domain.xml', 'disks/sda.raw', 'nvram/VARS.fd']);
  assert.ok(listing.slice(4).every((l) => l.startsWith('tpm/')) && listing.length > 4, listing.join(' '));
  assert.ok(statSync(bundle).size < 4 << 20, `a 64 MiB disk holding ~1 MiB: ${statSync(bundle).size} bytes`);
  assert.equal(vm.uuid, uuid, 'the same UUID');
  assert.equal(sha(readFileSync(vm.nvram!)), before.nvram, 'UEFI variables byte for byte');
  assert.deepEqual(tpmFiles(vm.uuid), before.tpm, 'TPM state byte for byte');
  assert.equal(guestSha(vm.disk), before.disk, 'the disk as the guest sees it');
  const again = json<Record<string, unknown>>(await phyllo('vm', 'info', win, '--connect', URI, '--json'));
  for (const k of ['profile', 'os', 'vcpus', 'memoryBytes', 'firmware', 'tpm'])
    assert.deepEqual(again[k], info[k], k);
});

test('a VM booting the test guest, with zstd: it boots again; a changed byte is refused, leaving nothing', async () => {
  const args = testGuestCreateArgs(name, { diskSize: '64M' }).map((a) =>
    a === 'console=ttyS0 quiet' ? `${a} ${POWEROFF_CMDLINE}` : a,
  );
  const created = await phyllo(...args, '--connect', URI, '--json');
  ok(created);
  const { uuid, disk } = json<{ uuid: string; disk: string }>(created);
  await bootOnce(await lv.domains.lookup(name));
  await writePattern(disk, 0x5a, 4 << 20, 1 << 20);
  const before = { tpm: tpmFiles(uuid), disk: guestSha(disk) };

  const { bundle, vm } = await roundTrip(name);
  assert.ok(
    readFileSync(bundle)
      .subarray(0, 4)
      .equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])),
    'zstd by default',
  );
  const listing = execFileSync('sh', ['-c', `zstd -dc < '${bundle}' | tar -tf -`], { encoding: 'utf8' });
  assert.match(listing, /^manifest\.json\ndomain\.xml\ndisks\/vda\.raw\nboot\/kernel\nboot\/initrd\ntpm\//);
  // No file of this host in the bundle: the options name none, the description neither.
  const unpacked = (entry: string) =>
    execFileSync('sh', ['-c', `zstd -dc < '${bundle}' | tar -xOf - ${entry}`], { encoding: 'utf8' });
  const options = (JSON.parse(unpacked('manifest.json')) as { vm: { options: Record<string, string> } }).vm
    .options;
  assert.deepEqual(
    Object.keys(options).filter((k) =>
      ['kernel', 'initrd', 'disk-image', 'serial-log', 'iso', 'session'].includes(k),
    ),
    [],
  );
  assert.equal(
    options.cmdline,
    `console=ttyS0 quiet ${POWEROFF_CMDLINE}`,
    'the kernel command line is the VM’s own',
  );
  assert.doesNotMatch(unpacked('domain.xml'), /\/var\/|\/usr\/|<kernel|<emulator|<source file/);
  assert.equal(vm.uuid, uuid);
  assert.deepEqual(tpmFiles(vm.uuid), before.tpm);
  assert.equal(guestSha(vm.disk), before.disk);
  const xml = await (await lv.domains.lookup(name)).xml(DomainXmlFlags.INACTIVE);
  assert.match(xml, /<kernel>\/var\/lib\/libvirt\/boot\//, 'its kernel came with it');
  await bootOnce(await lv.domains.lookup(name));

  // Through a pipe: export to standard output, import from standard input.
  const piped = await run('sh', [
    '-c',
    `'${BIN}' vm export ${name} - --connect ${URI} | '${BIN}' vm import - --name ${name}-p --connect ${URI} --json`,
  ]);
  ok(piped);
  const pipedDisk = json<{ disk: string }>(piped).disk;
  assert.equal(guestSha(pipedDisk), before.disk, 'the same disk through the pipe');
  // The imported disk, kernel and initrd are the VM's own: deleting the VM deletes them.
  const pipedBoot = ['kernel', 'initrd'].map((w) => `/var/lib/libvirt/boot/${name}-p-${w}`);
  assert.ok(
    pipedBoot.every((f) => existsSync(f)),
    'its kernel and initrd came with it',
  );
  ok(await phyllo('vm', 'delete', `${name}-p`, '--connect', URI));
  for (const f of [pipedDisk, ...pipedBoot]) assert.ok(!existsSync(f), `${f} went with its VM`);

  // One byte of the disk's data changed (in the uncompressed tar): refused, nothing made.
  const tar = execFileSync('zstd', ['-dc', bundle], { maxBuffer: 1 << 30 });
  const at = tar.indexOf(Buffer.alloc(512, 0x5a));
  assert.ok(at > 0);
  tar.writeUInt8(tar.readUInt8(at + 100) ^ 0xff, at + 100);
  const bad = join(dir, 'bad.phyllome');
  writeFileSync(bad, tar);
  const before2 = leftovers();
  const refused = await phyllo('vm', 'import', bad, '--name', `${name}-b`, '--connect', URI, '--json');
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  const err = json<{ error: { code: string; message: string } }>(refused).error;
  assert.equal(err.code, 'bundle-invalid');
  assert.match(err.message, /disks\/vda\.raw does not match its checksum/);
  await assert.rejects(lv.domains.lookup(`${name}-b`), (e: unknown) => isNotFound(e));
  assert.deepEqual(leftovers(), before2, 'no file left behind');
});

/** A bundle's manifest (its first entry, after one tar header) and where its JSON ends in the file. */
function manifestOf(bytes: Buffer): { m: { source: Record<string, string> }; end: number } {
  const end = bytes.indexOf(Buffer.from('\n}'), 512) + 2;
  return { m: JSON.parse(bytes.subarray(512, end).toString()) as { source: Record<string, string> }, end };
}

test('from a host with KVM to one without: the model re-decides, and the import says what changed', async () => {
  // The windows-11 bundle of the first test, its manifest saying it came from a KVM host (the
  // manifest's region is space-padded: rewritten in place, as an export does).
  const bytes = readFileSync(join(dir, `${win}.phyllome`));
  const { m, end } = manifestOf(bytes);
  assert.equal(m.source.domainType, 'qemu', 'exported here, under TCG');
  m.source.domainType = 'kvm';
  const text = Buffer.from(JSON.stringify(m, null, 2));
  assert.ok(text.length <= end - 512 + 64);
  const edited = Buffer.from(bytes);
  edited.fill(0x20, 512, end + 64);
  text.copy(edited, 512);
  const file = join(dir, 'from-kvm.phyllome');
  writeFileSync(file, edited);
  const r = await phyllo('vm', 'import', file, '--name', `${win}-kvm`, '--connect', URI, '--json');
  ok(r);
  const vm = json<{ changes: string[]; uuid: string }>(r);
  assert.deepEqual(vm.changes, ['KVM on the host it came from, TCG (no KVM) here']);
  assert.notEqual(vm.uuid, (await lv.domains.lookup(win)).uuid, 'a new name, a new UUID');
});

// The other way round. KVM here runs no guest (its boot test fails: README, "A note on KVM"), so the
// facts of a host where it works are this host's own with the boot test's verdict turned: libvirt does
// offer type='kvm' here, and its kvm domain capabilities are the daemon's. The VM is defined, not started.
test('from a host without KVM to one with it: the model re-decides for KVM, and the import says what changed', async (t) => {
  const here = await gatherModelHostFacts(lv);
  if (!here.kvm.offered) return t.skip('libvirt offers no kvm domain on this machine');
  const kvmCaps = await lv.domainCapabilities({ virttype: 'kvm', arch: 'x86_64', machine: 'q35' });
  const withKvm: ModelHostFacts = {
    ...here,
    kvm: { offered: true, works: true, reason: 'a guest booted under KVM' },
    domainCaps: { ...here.domainCaps, kvm: parseDomainCapabilities(kvmCaps) },
  };
  const bundle = join(dir, `${win}.phyllome`);
  assert.equal(manifestOf(readFileSync(bundle)).m.source.domainType, 'qemu', 'exported here, under TCG');
  const vm = await importVm(lv, createReadStream(bundle), withKvm, { name: `${win}-tokvm` });
  assert.deepEqual(vm.changes, ['TCG (no KVM) on the host it came from, KVM here']);
  const dom = await lv.domains.lookup(`${win}-tokvm`);
  assert.match(await dom.xml(), /^<domain type='kvm'/);
  assert.equal((await dom.state()).state, 'shutoff');
});

test('no room: an export into a full file system and an import into a full pool fail cleanly, leaving nothing', async () => {
  const full = join(dir, 'full');
  const unmount = mountTmpfs(full, 1);
  try {
    const r = await phyllo(
      'vm',
      'export',
      win,
      join(full, 'w.phyllome'),
      '--compress',
      'none',
      '--connect',
      URI,
      '--json',
    );
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(json<{ error: { code: string } }>(r).error.code, 'no-space');
    assert.deepEqual(readdirSync(full), [], 'no bundle, no partial file');
  } finally {
    unmount();
  }
  const poolName = uniqueName('bundle-pool');
  const { remove } = await tmpfsPool(lv, poolName, join(dir, 'pool'), 1);
  try {
    const before = leftovers();
    const r = await phyllo(
      'vm',
      'import',
      join(dir, `${win}.phyllome`),
      '--name',
      `${win}-full`,
      '--pool',
      poolName,
      '--connect',
      URI,
      '--json',
    );
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const err = json<{ error: { code: string; message: string } }>(r).error;
    assert.equal(err.code, 'pool-full');
    assert.match(err.message, /its disks need 1\.\d MiB, [01]\.\d MiB are free\. Nothing was created/);
    await assert.rejects(lv.domains.lookup(`${win}-full`), (e: unknown) => isNotFound(e));
    assert.deepEqual(leftovers(), before);
    assert.deepEqual(readdirSync(join(dir, 'pool')), []);
  } finally {
    await remove();
  }
});

/** Starts `phyllo ARGS`, kills it with SIGKILL once `ready()` holds; resolves when it is gone. */
async function killedWhen(ready: () => boolean, ...args: string[]): Promise<number> {
  const child = spawn(BIN, args, { stdio: 'ignore' });
  const gone = new Promise((r) => child.once('exit', r));
  await waitFor('the command halfway', async () => (ready() ? true : undefined), { everyMs: 5 });
  child.kill('SIGKILL');
  await gone;
  return child.pid!;
}

test('killed halfway: an export leaves nothing at the final path; an import leaves no domain, and the next one removes its files', async () => {
  const created = await phyllo(
    'vm',
    'create',
    big,
    '--os',
    'linux',
    '--disk-size',
    '1G',
    '--connect',
    URI,
    '--json',
  );
  ok(created);
  const { disk } = json<{ disk: string }>(created);
  execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x77 0 600M', disk], { stdio: 'ignore' });
  const bundle = join(dir, `${big}.phyllome`);
  const partial = () => readdirSync(dir).some((n) => n.startsWith(`.${big}.phyllome.partial-`));
  await killedWhen(partial, 'vm', 'export', big, bundle, '--compress', 'none', '--connect', URI);
  assert.ok(!existsSync(bundle), 'nothing at the final path');
  assert.ok(partial(), 'the killed export could not remove its partial file');
  // Killed while zstd writes into the file itself (a second partial file, and zstd running): zstd
  // ends with its input, the file stays partial.
  const first = readdirSync(dir).find((n) => n.startsWith(`.${big}.phyllome.partial-`));
  // A zstd whose standard output is one of those partial files (not another test's zstd).
  const zstdRunning = () =>
    spawnSync('pgrep', ['-x', 'zstd'], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .some((pid) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/1`).includes(`.${big}.phyllome.partial-`);
        } catch {
          return false;
        }
      });
  const zstdWriting = () =>
    readdirSync(dir).some((n) => n.startsWith(`.${big}.phyllome.partial-`) && n !== first) && zstdRunning();
  await killedWhen(zstdWriting, 'vm', 'export', big, bundle, '--connect', URI);
  assert.ok(!existsSync(bundle), 'nothing at the final path (zstd)');
  ok(await phyllo('vm', 'export', big, bundle, '--compress', 'none', '--connect', URI));
  assert.ok(statSync(bundle).size > 600 << 20);
  assert.ok(!partial(), 'the next export to that path removed what the killed ones left');
  await waitFor('no zstd left writing there', async () => (zstdRunning() ? undefined : true));

  const ours = (pid: number) => leftovers().filter((p) => p.includes(`.phyllo-import-${pid}-`));
  let pid = 0;
  pid = await killedWhen(
    () => readdirSync(IMAGES).some((n) => n.startsWith('.phyllo-import-') && n.endsWith('.raw')),
    'vm',
    'import',
    bundle,
    '--name',
    `${big}-again`,
    '--connect',
    URI,
  );
  await assert.rejects(lv.domains.lookup(`${big}-again`), (e: unknown) => isNotFound(e));
  assert.ok(ours(pid).length > 0, 'the killed import left its hidden files');
  // The next import (this one refused at once: the name is taken) removes them.
  const next = await phyllo('vm', 'import', bundle, '--connect', URI, '--json');
  assert.equal(json<{ error: { code: string } }>(next).error.code, 'vm-exists');
  assert.deepEqual(ours(pid), []);
});

test('a VM with two disks (virtio and SATA) and a USB rule: both disks travel, each byte for byte on its bus, and the rule too; vm delete removes both disks', async () => {
  const vm = `${name}-two`;
  const back = `${vm}-back`;
  const created = await phyllo(
    'vm',
    'create',
    vm,
    '--os',
    'linux',
    '--disk-size',
    '32M',
    '--connect',
    URI,
    '--json',
  );
  ok(created);
  const firstDisk = json<{ disk: string }>(created).disk;
  const extra = join(IMAGES, `${vm}-data.raw`);
  try {
    // A second disk as a user adds one (virsh edit): a raw file on SATA, some data in it, and a size
    // that is no multiple of 4 KiB with data in its last 1000 bytes (once lost on the way back in).
    const data = Buffer.alloc((8 << 20) + 1000);
    data.fill(0x42, 1 << 20, 3 << 20);
    data.fill(0x17, 8 << 20);
    writeFileSync(extra, data);
    const dom = await lv.domains.lookup(vm);
    const xml = (await dom.xml(DomainXmlFlags.INACTIVE)).replace(
      '</disk>',
      `</disk><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${extra}'/><target dev='sdb' bus='sata'/></disk>`,
    );
    await lv.domains.define(xml);
    await writePattern(firstDisk, 0x5a, 1 << 20, 1 << 20);
    // What the guest sees: qemu rounds the raw file up to a whole sector of zeros.
    const sums = [guestSha(firstDisk), guestSha(extra)];
    assert.notEqual(sums[1], sha(data));

    // Its USB rule (Phyllome's metadata) goes with it.
    ok(await phyllo('usb', 'rule', 'add', '1050:0407:0012345678', '--vm', vm, '--connect', URI));
    const bundle = join(dir, `${vm}.phyllome`);
    ok(await phyllo('vm', 'export', vm, bundle, '--compress', 'none', '--connect', URI));
    const listed = execFileSync('tar', ['-tf', bundle], { encoding: 'utf8' });
    assert.match(listed, /disks\/sdb\.raw/, 'the second disk is in the bundle');
    const r = await phyllo('vm', 'import', bundle, '--name', back, '--connect', URI, '--json');
    ok(r);
    const got = json<{ disk: string; disks: string[] }>(r);
    assert.equal(got.disks.length, 2);
    assert.equal(got.disks[0], got.disk, 'the first disk is the one it boots from');
    // The imported raw file itself, to its last byte: the guest-visible bytes, sector-rounded.
    assert.deepEqual(
      [guestSha(got.disks[0]!), sha(readFileSync(got.disks[1]!))],
      sums,
      'both disks byte for byte',
    );
    const imported = await (await lv.domains.lookup(back)).xml(DomainXmlFlags.INACTIVE);
    assert.ok(imported.includes(`<source file='${got.disks[1]}'/>`));
    assert.match(imported, /<target dev='sdb' bus='sata'\/>/, 'the second disk on its bus, under its target');
    const rules = await phyllo('usb', 'rule', 'list', '--vm', back, '--connect', URI, '--json');
    ok(rules);
    assert.match(rules.stdout, /1050:0407:0012345678/, 'the USB rule came along');
    const del = await phyllo('vm', 'delete', back, '--connect', URI, '--json');
    ok(del);
    for (const p of got.disks) assert.ok(!existsSync(p), `vm delete removed ${p}`);
  } finally {
    await phyllo('vm', 'delete', back, '--force', '--connect', URI);
    await phyllo('vm', 'delete', vm, '--force', '--delete-images', '--connect', URI);
    rmSync(extra, { force: true });
  }
});
