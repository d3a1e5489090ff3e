/**
 * A VM's life through the API, in-process against the real system daemon, with the test guest booted
 * from its kernel: create (the XML preview, the OS detected from an ISO, a real create started at
 * once), screenshot, display, diagnose and info while it runs; then, shut off: set, media, the XML
 * read and replaced, snapshots, upgrade-devices, a linked clone as a job, a full clone cancelled
 * (nothing left behind), and delete. Every answer has the shape `phyllo … --json` prints; refusals
 * are typed 400/404/409s. Two VMs at most, 1 GiB each, one running for a short while.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, type Libvirt } from '../../src/libvirt/index.js';
import { deleteVm } from '../../src/machines/delete-vm.js';
import { phyllo } from '../support/bin-phyllo.js';
import { isoImage } from '../support/iso-image.js';
import { testGuestPaths } from '../support/test-guest.js';
import { uniqueName } from '../libvirt/helpers.js';
import { waitFor } from '../support/wait.js';
import { testApi, type TestApi } from '../support/api-server.js';

const IMAGES = '/var/lib/libvirt/images';
const name = uniqueName('api-vm');
const clone = uniqueName('api-vmc');
const full = uniqueName('api-vmf');
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'phyllo-api-vm-')));
const guest = testGuestPaths();
let api: TestApi;
let lv: Libvirt;

interface ErrorBody {
  error: { code: string; message: string; hint?: string };
}

before(async () => {
  chmodSync(dir, 0o755);
  writeFileSync(
    join(dir, 'ubuntu.iso'),
    isoImage({ volumeId: 'Ubuntu-Server 22.04.3 LTS amd64', systemId: 'LINUX' }),
  );
  // A medium osinfo-db does not know (its Debian entries match other ids).
  writeFileSync(
    join(dir, 'debian12.iso'),
    isoImage({ volumeId: 'Debian 12.2.0 amd64 n', systemId: 'LINUX' }),
  );
  writeFileSync(join(dir, 'drivers.iso'), isoImage({ volumeId: 'virtio-win-0.1.240' }));
  symlinkSync('/etc/hostname', join(dir, 'escape.iso'));
  api = await testApi({ allowedDirs: [dir, guest.dir] });
  lv = await connect('qemu:///system');
});
after(async () => {
  for (const n of [full, clone, name])
    await deleteVm(lv, n, { force: true }).catch((err: unknown) => {
      if ((err as { code?: string }).code !== 'vm-not-found') console.error(`cleaning up ${n}:`, err);
    });
  await lv.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call<T = Record<string, unknown>>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  status: number,
  body?: unknown,
): Promise<T> {
  const res = await api.call(method, url, body);
  assert.equal(res.statusCode, status, `${method} ${url}: ${res.body.slice(0, 2000)}`);
  return res.json() as T;
}

async function refused(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  body: unknown,
  status: number,
  code: string,
  message?: RegExp,
): Promise<ErrorBody['error']> {
  const e = (await call<ErrorBody>(method, url, status, body)).error;
  assert.equal(e.code, code, `${method} ${url}: ${e.message}`);
  if (message) assert.match(e.message, message, `${method} ${url}`);
  return e;
}

async function cli(...args: string[]): Promise<Record<string, unknown>> {
  const r = await phyllo(...args, '--json');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const defined = async (n: string): Promise<boolean> =>
  lv.domains.lookup(n).then(
    () => true,
    () => false,
  );

/** Files under the images directory and the NVRAM directory named after one of the test's VMs. */
function leftovers(...names: string[]): string[] {
  const dirs = [IMAGES, '/var/lib/libvirt/qemu/nvram'];
  return dirs.flatMap((d) =>
    existsSync(d)
      ? readdirSync(d)
          .filter((f) => names.some((n) => f.includes(n)))
          .map((f) => join(d, f))
      : [],
  );
}

const base = {
  os: 'linux',
  memory: '1G',
  vcpus: 1,
  display: 'vnc',
  kernel: join(guest.dir, 'vmlinuz'),
  initrd: join(guest.dir, 'initrd.img'),
  cmdline: 'console=ttyS0 quiet',
};

test('POST /api/vms?printXml=true: the XML and decisions, nothing defined; the OS detected from an ISO', async () => {
  const preview = await call<{ name: string; xml: string; decisions: { topic: string }[] }>(
    'POST',
    '/api/vms?printXml=true',
    200,
    { ...base, name, diskSize: 'none' },
  );
  assert.match(preview.xml, new RegExp(`<name>${name}</name>`));
  assert.ok(preview.decisions.length > 5);
  assert.equal(await defined(name), false, 'a preview defines nothing');
  const theirs = await cli(
    'vm',
    'create',
    name,
    '--os',
    'linux',
    '--memory',
    '1G',
    '--vcpus',
    '1',
    '--display',
    'vnc',
    '--disk-size',
    'none',
    '--kernel',
    base.kernel,
    '--initrd',
    base.initrd,
    '--cmdline',
    base.cmdline,
    '--print-xml',
  );
  assert.deepEqual(Object.keys(preview).sort(), Object.keys(theirs).sort());
  assert.equal(preview.xml, theirs.xml, 'the same XML as the CLI');

  const detected = await call<{ detected: { os: string }; decisions: { topic: string; choice: string }[] }>(
    'POST',
    '/api/vms?printXml=true',
    200,
    { name, iso: join(dir, 'ubuntu.iso'), diskSize: 'none', memory: '2G' },
  );
  assert.equal(detected.detected.os, 'ubuntu22.04');
  assert.match(detected.decisions[0]!.choice, /^ubuntu22\.04 .*detected from the installer medium/);
  await refused(
    'POST',
    '/api/vms?printXml=true',
    { name, iso: join(dir, 'debian12.iso'), diskSize: 'none' },
    400,
    'unknown-medium',
    /matches no installer medium/,
  );
});

test('POST /api/vms refuses bad input before touching anything (400)', async () => {
  const cases: [unknown, string, string, RegExp][] = [
    [{ name }, '', 'invalid-input', /Which OS\?/],
    [{ ...base, name: 'has space' }, '', 'invalid-name', /not allowed/],
    [{ ...base, name: '-dash' }, '', 'invalid-name', /first/],
    [{ ...base, name, memory: 'lots' }, '', 'invalid-option', /memory.*lots/],
    [{ ...base, name, vcpus: 0 }, '', 'invalid-option', /vcpus/],
    [{ ...base, name, cmdline: 'a<b' }, '', 'unsafe-value', /cmdline/],
    [{ ...base, name, iso: '/etc/passwd' }, '', 'path-not-allowed', /iso "\/etc\/passwd"/],
    [{ ...base, name, iso: join(dir, 'escape.iso') }, '', 'path-not-allowed', /resolves to \/etc\/hostname/],
    [{ ...base, name, kernel: `${guest.dir}/../../../boot/vmlinuz` }, '', 'path-not-allowed', /kernel/],
    [{ ...base, name, diskImage: '/dev/sda' }, '', 'path-not-allowed', /diskImage/],
    [
      { ...base, name, drivers: join(dir, 'debian12.iso'), serialLog: '/tmp/x' },
      '',
      'invalid-input',
      /unknown field "serialLog"/,
    ],
    [{ ...base, name, os: 'no-such-os' }, '', 'unknown-os', /no-such-os/],
    [{ ...base, name, start: true }, '?printXml=true', 'invalid-input', /nothing to start/],
  ];
  for (const [body, query, code, message] of cases) {
    const e = await refused('POST', `/api/vms${query}`, body, 400, code, message);
    if (code === 'path-not-allowed') assert.match(e.hint!, new RegExp(dir));
  }
  assert.equal(await defined(name), false);
});

test('POST /api/vms with start: 201, the VM running; screenshot, display, diagnose and info while it runs', async () => {
  const res = await api.call('POST', '/api/vms', { ...base, name, diskSize: '1G', start: true });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.headers.location, `/api/vms/${name}`);
  const vm = res.json() as { name: string; uuid: string; disk: string; state: string; decisions: unknown[] };
  assert.equal(vm.name, name);
  assert.equal(vm.state, 'running');
  assert.ok(vm.disk.startsWith(`${IMAGES}/`), vm.disk);
  for (const k of ['uuid', 'xml', 'decisions', 'warnings']) assert.ok(k in vm, k);
  await refused('POST', '/api/vms', { ...base, name, diskSize: 'none' }, 409, 'vm-exists', new RegExp(name));

  const shot = await api.call('GET', `/api/vms/${name}/screenshot`);
  assert.equal(shot.statusCode, 200, shot.body.slice(0, 500));
  assert.equal(shot.headers['content-type'], 'image/png');
  assert.deepEqual([...shot.rawPayload.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(Number(shot.headers['x-image-width']), shot.rawPayload.readUInt32BE(16));
  assert.equal(Number(shot.headers['x-image-height']), shot.rawPayload.readUInt32BE(20));

  const display = await call('GET', `/api/vms/${name}/display`, 200);
  assert.deepEqual(display, await cli('vm', 'display', name));
  // VNC on a UNIX socket: the model's default display on this host.
  assert.match(
    JSON.stringify(display),
    /"address":"vnc\+unix:\/\/\/var\/lib\/libvirt\/qemu\/[^"]+\/vnc\.sock"/,
  );

  const diagnosis = await call<{ vm: string; state: string; findings: unknown[]; qemuLog: { path: string } }>(
    'GET',
    `/api/vms/${name}/diagnose`,
    200,
  );
  assert.equal(diagnosis.vm, name);
  assert.equal(diagnosis.state, 'running');
  assert.ok(Array.isArray(diagnosis.findings));
  assert.match(diagnosis.qemuLog.path, new RegExp(`${name}\\.log$`));
  const theirs = await cli('vm', 'diagnose', name);
  assert.deepEqual(Object.keys(diagnosis).sort(), Object.keys(theirs).sort());

  const info = await call<{ name: string; model: { source: string } }>('GET', `/api/vms/${name}`, 200);
  assert.equal(info.model.source, 're-derived', 'as `vm info --json`: the model’s decisions, re-derived');
  assert.deepEqual(Object.keys(info).sort(), Object.keys(await cli('vm', 'info', name)).sort());

  // What needs it shut off says so.
  await refused('POST', `/api/vms/${name}/snapshots`, { name: 'live' }, 409, 'vm-wrong-state', /running/);
  await refused('POST', `/api/vms/${name}/clone`, { name: clone }, 409, 'vm-wrong-state', /Cloning/);
  await refused('POST', `/api/vms/${name}/upgrade-devices`, {}, 409, 'vm-wrong-state');
  await refused('DELETE', `/api/vms/${name}`, undefined, 409, 'vm-wrong-state', /--force/);
  assert.equal((await call<{ state: string }>('POST', `/api/vms/${name}/kill`, 200)).state, 'shutoff');
  await refused('GET', `/api/vms/${name}/screenshot`, undefined, 409, 'vm-wrong-state');
});

test('POST /api/vms/{name}/set: memory, vCPUs, autostart as `vm set --json`; nothing or too little is 400', async () => {
  const out = await call<{ name: string; running: boolean; changes: { setting: string; applies: string }[] }>(
    'POST',
    `/api/vms/${name}/set`,
    200,
    { memory: '1280M', vcpus: 2, autostart: true },
  );
  assert.equal(out.running, false);
  assert.deepEqual(out.changes.map((c) => c.setting).sort(), ['autostart', 'memory', 'vcpus']);
  assert.equal(await lv.domains.lookup(name).then((d) => d.autostart()), true);
  await call('POST', `/api/vms/${name}/set`, 200, { autostart: false });
  assert.equal(await lv.domains.lookup(name).then((d) => d.autostart()), false);
  await refused('POST', `/api/vms/${name}/set`, {}, 400, 'invalid-input', /Nothing to set/);
  await refused('POST', `/api/vms/${name}/set`, { memory: '1M' }, 400, 'memory-below-minimum');
  await refused('POST', `/api/vms/${name}/set`, { vcpus: 'many' }, 400, 'invalid-input', /vcpus/);
});

test('POST /api/vms/{name}/media: a drive added with an ISO, then ejected; paths outside are 400', async () => {
  const iso = join(dir, 'drivers.iso');
  await refused(
    'POST',
    `/api/vms/${name}/media`,
    { action: 'insert', path: iso },
    409,
    'no-cdrom-drive',
    /no CD-ROM/,
  );
  const added = await call<{ target: string; source: string; addedDrive: boolean; applies: string }>(
    'POST',
    `/api/vms/${name}/media`,
    200,
    { action: 'insert', path: iso, addDrive: true },
  );
  assert.equal(added.addedDrive, true);
  assert.equal(added.source, iso);
  const ejected = await call<{ target: string; previous: string; source?: string }>(
    'POST',
    `/api/vms/${name}/media`,
    200,
    { action: 'eject' },
  );
  assert.equal(ejected.target, added.target);
  assert.equal(ejected.previous, iso);
  assert.equal(ejected.source, undefined);
  await refused(
    'POST',
    `/api/vms/${name}/media`,
    { action: 'insert', path: '/etc/passwd' },
    400,
    'path-not-allowed',
  );
  await refused(
    'POST',
    `/api/vms/${name}/media`,
    { action: 'insert', path: join(dir, 'escape.iso') },
    400,
    'path-not-allowed',
    /resolves to/,
  );
  await refused(
    'POST',
    `/api/vms/${name}/media`,
    { action: 'insert' },
    400,
    'invalid-input',
    /insert needs the ISO/,
  );
  await refused(
    'POST',
    `/api/vms/${name}/media`,
    { action: 'eject', path: iso },
    400,
    'invalid-input',
    /eject takes no path/,
  );
  await refused(
    'POST',
    `/api/vms/${name}/media`,
    { action: 'insert', path: iso, target: 'sdz' },
    409,
    'no-cdrom-drive',
    /sdz/,
  );
});

test('GET and PUT /api/vms/{name}/xml: redefined only when libvirt accepts it and no path leaves the allowed directories', async () => {
  const { xml } = await call<{ name: string; xml: string }>('GET', `/api/vms/${name}/xml`, 200);
  assert.match(xml, new RegExp(`<name>${name}</name>`));
  assert.deepEqual(await call('PUT', `/api/vms/${name}/xml`, 200, { xml }), {
    name,
    changed: false,
    running: false,
  });
  const edited = xml.replace('</name>', '</name>\n  <description>edited through the API</description>');
  assert.deepEqual(await call('PUT', `/api/vms/${name}/xml`, 200, { xml: edited }), {
    name,
    changed: true,
    running: false,
  });
  assert.match(
    (await call<{ xml: string }>('GET', `/api/vms/${name}/xml`, 200)).xml,
    /edited through the API/,
  );

  const disk = (file: string) =>
    xml.replace(
      '</devices>',
      `<disk type='file' device='disk'><source file='${file}'/><target dev='vdz' bus='virtio'/></disk></devices>`,
    );
  await refused(
    'PUT',
    `/api/vms/${name}/xml`,
    { xml: disk('/etc/shadow') },
    400,
    'path-not-allowed',
    /<source file>.*\/etc\/shadow/,
  );
  await refused(
    'PUT',
    `/api/vms/${name}/xml`,
    { xml: xml.replace(`<name>${name}</name>`, '<name>other</name>') },
    400,
    'vm-edit-identity-changed',
  );
  await refused(
    'PUT',
    `/api/vms/${name}/xml`,
    { xml: xml.replace('</devices>', '<bogus/></devices>') },
    400,
    'vm-edit-rejected',
    /libvirt refused/,
  );
  await refused('PUT', `/api/vms/${name}/xml`, { xml: '<domain' }, 400, 'invalid-xml');
  const qemu =
    "<qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><qemu:arg value='-S'/></qemu:commandline>";
  await refused(
    'PUT',
    `/api/vms/${name}/xml`,
    { xml: xml.replace('</domain>', `${qemu}</domain>`) },
    400,
    'xml-not-allowed',
    /qemu:commandline/,
  );
  assert.doesNotMatch(
    (await call<{ xml: string }>('GET', `/api/vms/${name}/xml`, 200)).xml,
    /vdz|bogus|qemu:/,
    'unchanged',
  );
});

test('snapshots: create (201), list, revert, delete as `vm snapshot … --json`; unknown ones 404, taken names 409', async () => {
  const url = `/api/vms/${name}/snapshots`;
  assert.deepEqual(await call('GET', url, 200), { vm: name, snapshots: [] });
  const res = await api.call('POST', url, { name: 'before' });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.headers.location, `${url}/before`);
  assert.equal((res.json() as { name: string }).name, 'before');
  await refused('POST', url, { name: 'before' }, 409, 'snapshot-exists');
  await refused('POST', url, { name: 'bad name' }, 400, 'invalid-input', /snapshot name/);
  const list = await call<{ snapshots: { name: string }[] }>('GET', url, 200);
  assert.deepEqual(list, await cli('vm', 'snapshot', 'list', name));
  assert.deepEqual(
    list.snapshots.map((s) => s.name),
    ['before'],
  );
  assert.equal((await call<{ name: string }>('POST', `${url}/before/revert`, 200)).name, 'before');
  await refused('POST', `${url}/nope/revert`, undefined, 404, 'snapshot-not-found', /nope/);
  const gone = await call<{ name: string; merged: string[] }>('DELETE', `${url}/before`, 200);
  assert.equal(gone.name, 'before');
  await refused('DELETE', `${url}/before`, undefined, 404, 'snapshot-not-found');
  assert.deepEqual(await call('GET', url, 200), { vm: name, snapshots: [] });
});

test('POST /api/vms/{name}/upgrade-devices: nothing to upgrade on a virtio VM; nothing to undo is 409', async () => {
  const out = await call<{ name: string; changes: unknown[]; undone: boolean }>(
    'POST',
    `/api/vms/${name}/upgrade-devices`,
    200,
    {},
  );
  assert.equal(out.name, name);
  assert.deepEqual(out.changes, []);
  await refused('POST', `/api/vms/${name}/upgrade-devices`, { undo: true }, 409, 'vm-upgrade-not-possible');
});

test('POST /api/vms/{name}/clone: a linked clone as a job (202); a full clone cancelled at once leaves nothing', async () => {
  await refused('POST', `/api/vms/${name}/clone`, { name: 'bad name' }, 400, 'invalid-name');
  await refused('POST', `/api/vms/${name}/clone`, { name }, 409, 'vm-exists');
  const job = await call<{ id: string; kind: string; vm: string; state: string }>(
    'POST',
    `/api/vms/${name}/clone`,
    202,
    {
      name: clone,
    },
  );
  assert.equal(job.kind, 'clone');
  assert.equal(job.vm, name);
  const ended = await waitFor('the clone job to end', async () => {
    const j = await call<{ state: string; result?: { name: string; linked: boolean }; error?: unknown }>(
      'GET',
      `/api/jobs/${job.id}`,
      200,
    );
    return j.state === 'running' ? undefined : j;
  });
  assert.equal(ended.state, 'done', JSON.stringify(ended.error));
  assert.equal(ended.result?.name, clone);
  assert.equal(ended.result?.linked, true);
  assert.equal(await defined(clone), true);

  const sourceXml = (await call<{ xml: string }>('GET', `/api/vms/${name}/xml`, 200)).xml;
  const copy = await call<{ id: string }>('POST', `/api/vms/${name}/clone`, 202, { name: full, full: true });
  const cancelled = await call<{ id: string }>('POST', `/api/jobs/${copy.id}/cancel`, 202);
  assert.equal(cancelled.id, copy.id);
  const end = await waitFor('the full clone to end', async () => {
    const j = await call<{ state: string; error?: { code: string } }>('GET', `/api/jobs/${copy.id}`, 200);
    return j.state === 'running' ? undefined : j;
  });
  assert.equal(end.state, 'cancelled', JSON.stringify(end));
  assert.equal(end.error?.code, 'cancelled');
  assert.equal(await defined(full), false);
  assert.deepEqual(leftovers(full), [], 'no disk copy, no NVRAM of the cancelled clone');
  assert.equal(
    (await call<{ xml: string }>('GET', `/api/vms/${name}/xml`, 200)).xml,
    sourceXml,
    'the source is untouched',
  );
});

test('DELETE /api/vms/{name}: the clone, then the VM, with their disks, as `vm delete --json`', async () => {
  await refused(
    'DELETE',
    `/api/vms/${clone}?keepDisks=perhaps`,
    undefined,
    400,
    'invalid-input',
    /keepDisks/,
  );
  const c = await call<{ name: string; removed: string[] }>('DELETE', `/api/vms/${clone}`, 200);
  assert.equal(c.name, clone);
  assert.ok(c.removed.length > 0);
  const v = await call<{ name: string; removed: string[]; kept: unknown[]; poweredOff: boolean }>(
    'DELETE',
    `/api/vms/${name}`,
    200,
  );
  assert.equal(v.name, name);
  assert.equal(v.poweredOff, false);
  assert.ok(
    v.removed.some((p) => p.includes(name)),
    JSON.stringify(v),
  );
  assert.equal(await defined(name), false);
  assert.equal(await defined(clone), false);
  assert.deepEqual(leftovers(name, clone, full), []);
  await refused('DELETE', `/api/vms/${name}`, undefined, 404, 'vm-not-found');
});
