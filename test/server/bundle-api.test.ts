/**
 * Bundles through the API, in-process against the real system daemon (and a second real libvirtd for
 * the move), with a VM of the test guest made through the API and data written into its disk:
 * - GET …/export: 200 with the attachment headers; the zstd body is imported back through
 *   POST /api/vms/import under a new name (201, the disk's content the same), the uncompressed one is
 *   a tar tar(1) lists; both exports and the import are jobs in GET /api/jobs;
 * - a running VM is refused before any byte (409, the CLI's message, no job); a VM whose export is
 *   under way is refused by a second one (409 operation-in-progress, in the error shape);
 * - a download cancelled through POST /api/jobs/{id}/cancel is cut (no final chunk) and leaves no
 *   lock or temporary file; a client that stops reading and goes away cancels its job;
 * - an import of a bundle with one byte changed is refused (422 bundle-invalid), an upload cut
 *   mid-way is cancelled: neither leaves a domain, a volume or a file;
 * - POST …/move to the second host: refused at once for the same host (422), an unknown host (404),
 *   a name taken there (409); with keepSource a copy there, without it the source gone.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, isNotFound, type Libvirt } from '../../src/libvirt/index.js';
import { deleteVm } from '../../src/machines/delete-vm.js';
import { NVRAM_DIR, SWTPM_DIR } from '../../src/machines/state-files.js';
import { hostIdOf } from '../../src/server/hosts.js';
import type { JobView } from '../../src/server/job-registry.js';
import { uniqueName } from '../libvirt/helpers.js';
import { testApi, type TestApi } from '../support/api-server.js';
import { secondHostSkip, startSecondHost, type SecondHost } from '../support/second-host.js';
import { testGuestPaths } from '../support/test-guest.js';
import { IMAGES, writePattern } from '../support/uefi-guest.js';
import { waitFor } from '../support/wait.js';

const BOOT_DIR = '/var/lib/libvirt/boot';
const name = uniqueName('api-bundle');
const back = `${name}-back`;
const guest = testGuestPaths();
const noSecondHost = secondHostSkip();
const dir = mkdtempSync(join(tmpdir(), 'phyllo-bundle-api-'));
/** Data in the disk: 24 MiB of 0x5a at 4 MiB, more than the sockets and pipes between hold. */
const DATA_AT = 4 << 20;
const DATA_LEN = 24 << 20;
/** A hang guard (a stuck stream would otherwise hold the run), not a speed limit. */
const GUARD = { timeout: 300_000 };

let api: TestApi;
let lv: Libvirt;
let hostB: SecondHost | undefined;
let idB = '';
let disk = '';
let url = '';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** The guest-visible content of a disk image, hashed. */
const guestSha = (img: string) => {
  const out = join(dir, `flat-${Math.random()}.raw`);
  execFileSync('qemu-img', ['convert', '-U', '-O', 'raw', img, out]);
  const h = sha(readFileSync(out));
  rmSync(out);
  return h;
};
/** What an import named `vm` may leave in the directories it writes to. */
const leftovers = (vm: string) =>
  [IMAGES, NVRAM_DIR, SWTPM_DIR, BOOT_DIR].flatMap((d) =>
    readdirSync(d)
      .filter((n) => n.startsWith(`.phyllo-import-${process.pid}-`) || n.startsWith(vm))
      .map((n) => join(d, n)),
  );
const exists = (l: Libvirt, vm: string) =>
  l.domains.lookup(vm).then(
    () => true,
    (e: unknown) => {
      if (isNotFound(e)) return false;
      throw e;
    },
  );
const jobOf = (id: string) => api.jobs.get(id);
const doneJob = (id: string) =>
  waitFor(`job ${id} to end`, async () => (jobOf(id).state === 'running' ? undefined : jobOf(id)), {
    limitMs: 300_000,
  });

before(async () => {
  if (!noSecondHost) {
    hostB = await startSecondHost({ imagesPool: true });
    idB = hostIdOf(hostB.uri);
  }
  api = await testApi({
    uris: ['qemu:///system', ...(hostB ? [hostB.uri] : [])],
    allowedDirs: [guest.dir],
  });
  url = (await api.listen()).url;
  lv = await connect('qemu:///system');
  const created = await api.call('POST', '/api/vms', {
    name,
    os: 'linux',
    memory: '1G',
    vcpus: 1,
    display: 'none',
    diskSize: '64M',
    kernel: guest.kernel,
    initrd: guest.initrd,
    cmdline: 'console=ttyS0 quiet',
  });
  assert.equal(created.statusCode, 201, created.body);
  disk = (created.json() as { disk: string }).disk;
  await writePattern(disk, 0x5a, DATA_AT, DATA_LEN);
});

after(async () => {
  // Its jobs first: a running export holds its VM's lock.
  await api?.close();
  for (const n of [name, back, `${name}-bad`, `${name}-cut`])
    await deleteVm(lv, n, { force: true }).catch((err: unknown) => {
      if ((err as { code?: string }).code !== 'vm-not-found') console.error(`cleaning up ${n}:`, err);
    });
  await lv?.close();
  await hostB?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A GET over a real socket with the token; resolves once the answer's headers are in. */
function get(path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers: { authorization: `Bearer ${api.token}` } }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/**
 * Reads an answer to its end (listening from now, even while it is paused); `cut` says whether its
 * connection closed before its last byte (no final chunk).
 */
function readAll(res: IncomingMessage): Promise<{ body: Buffer; cut: boolean }> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    res.on('data', (c: Buffer) => parts.push(c));
    res.on('error', () => undefined);
    res.on('close', () => resolve({ body: Buffer.concat(parts), cut: !res.complete }));
  });
}

const upload = (body: Buffer, query: string) =>
  api.call('POST', `/api/vms/import${query}`, body, { 'content-type': 'application/octet-stream' });

let zstdBundle: Buffer;
let tarBundle: Buffer;

test(
  'GET …/export downloads the bundle as a job; its bytes import back through POST /api/vms/import under a new name',
  GUARD,
  async () => {
    const before = guestSha(disk);
    const phases = new Set<string>();
    const stop = api.jobs.subscribe((v) => {
      if (v.kind === 'export' && v.vm === name) phases.add(v.progress.phase);
    });
    const res = await api.call('GET', `/api/vms/${name}/export`);
    stop();
    // A stream's manifest comes first: the first pass over the data (its checksums) shows as progress too.
    assert.ok(phases.has('checksums of the disk data') && phases.has('disk data'), [...phases].join(', '));
    assert.equal(res.statusCode, 200, res.body.slice(0, 500));
    assert.equal(res.headers['content-type'], 'application/octet-stream');
    assert.equal(res.headers['content-disposition'], `attachment; filename="${name}.phyllo.tar.zst"`);
    zstdBundle = res.rawPayload;
    assert.deepEqual([...zstdBundle.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd], 'zstd by default');
    const job = jobOf(String(res.headers['x-phyllome-job']));
    assert.equal(job.kind, 'export');
    assert.equal(job.vm, name);
    assert.equal(job.state, 'done');
    assert.equal((job.result as { bytes: number }).bytes, zstdBundle.length, 'the job counted what was sent');
    assert.equal(job.progress.unit, 'bytes');
    assert.ok(job.progress.done >= DATA_LEN && job.progress.done === job.progress.total, 'its progress');
    assert.ok(
      api.jobs.list().some((j) => j.id === job.id),
      'listed in GET /api/jobs',
    );

    const plain = await api.call('GET', `/api/vms/${name}/export?compress=none`);
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['content-disposition'], `attachment; filename="${name}.phyllo.tar"`);
    tarBundle = plain.rawPayload;
    writeFileSync(join(dir, 'plain.tar'), tarBundle);
    const listing = execFileSync('tar', ['-tf', join(dir, 'plain.tar')], { encoding: 'utf8' }).split('\n');
    assert.deepEqual(listing.slice(0, 3), ['manifest.json', 'domain.xml', 'disks/vda.raw']);

    const imported = await upload(zstdBundle, `?name=${back}`);
    assert.equal(imported.statusCode, 201, imported.body);
    const vm = imported.json() as { name: string; uuid: string; disk: string; decisions: unknown[] };
    assert.equal(vm.name, back);
    assert.equal(imported.headers.location, `/api/vms/${back}`);
    assert.ok(vm.decisions.length > 5, 'the model’s decisions, as `vm import --json`');
    const original = (await api.call('GET', `/api/vms/${name}`)).json() as { uuid: string };
    assert.notEqual(vm.uuid, original.uuid, 'a new name brings a new UUID');
    assert.equal(guestSha(vm.disk), before, 'the disk’s content came through the download and the upload');
    const info = await api.call('GET', `/api/vms/${back}`);
    assert.equal(info.statusCode, 200);
    const importJob = api.jobs.list().find((j) => j.kind === 'import' && j.vm === back);
    assert.equal(importJob?.state, 'done');
    assert.equal((importJob?.result as { uuid?: string }).uuid, vm.uuid);
    const listed = (await api.call('GET', '/api/vms')).json() as { name: string }[];
    assert.ok(
      listed.some((v) => v.name === back),
      'in the VM list at once',
    );
  },
);

test(
  'a running VM is refused before any byte (409 as the CLI says it), and so is a VM another export holds',
  GUARD,
  async () => {
    const jobs = api.jobs.list().length;
    assert.equal((await api.call('POST', `/api/vms/${name}/start`)).statusCode, 200);
    try {
      const res = await api.call('GET', `/api/vms/${name}/export`);
      assert.equal(res.statusCode, 409, res.body.slice(0, 200));
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.equal(res.headers['content-disposition'], undefined);
      assert.equal(res.json().error.code, 'vm-wrong-state');
      assert.match(res.json().error.message, /Exporting needs it shut off/);
      assert.equal(api.jobs.list().length, jobs, 'no job started');
    } finally {
      await api.call('POST', `/api/vms/${name}/kill`);
    }
    // The first download is not read: its export waits on the full socket, holding the VM's lock.
    const first = await get(`/api/vms/${name}/export?compress=none`);
    assert.equal(first.statusCode, 200);
    first.pause();
    const id = String(first.headers['x-phyllome-job']);
    try {
      const second = await api.call('GET', `/api/vms/${name}/export`);
      assert.equal(second.statusCode, 409, second.body.slice(0, 200));
      assert.equal(second.json().error.code, 'operation-in-progress');
      assert.match(String(second.headers['content-type']), /^application\/json/, 'an error, not a download');
      assert.equal(second.headers['content-disposition'], undefined);
      assert.equal(jobOf(id).state, 'running');
    } finally {
      // The client goes away: its job is cancelled, the lock released.
      first.destroy();
    }
    assert.equal((await doneJob(id)).state, 'cancelled');
    const again = await api.call('GET', `/api/vms/${name}/export?compress=none`);
    assert.equal(again.statusCode, 200, 'the lock was released');
  },
);

test(
  'a download cancelled through POST /api/jobs/{id}/cancel is cut, and the VM is free again',
  GUARD,
  async () => {
    const res = await get(`/api/vms/${name}/export?compress=none`);
    assert.equal(res.statusCode, 200);
    const id = String(res.headers['x-phyllome-job']);
    // Read a little, then stop reading (the export waits on the full socket), then cancel: the
    // cancel does not wait for the client to read again.
    const first = await new Promise<Buffer>((resolve) => res.once('data', resolve));
    res.pause();
    await waitFor('the export to send data', async () =>
      (jobOf(id).progress.done ?? 0) > 0 ? true : undefined,
    );
    const ending = readAll(res);
    const cancelled = await api.call('POST', `/api/jobs/${id}/cancel`);
    assert.equal(cancelled.statusCode, 202);
    assert.equal((await doneJob(id)).state, 'cancelled', 'ended while the client was not reading');
    res.resume();
    const got = await ending;
    assert.ok(got.cut, 'the response ended without its final chunk');
    assert.ok(first.length + got.body.length < tarBundle.length, 'less than a whole bundle came');
    const job = await doneJob(id);
    assert.equal(job.state, 'cancelled');
    assert.equal(job.error?.code, 'cancelled');
    assert.equal((await api.call('GET', `/api/vms/${name}/export?compress=none`)).statusCode, 200);
  },
);

test(
  'an import of a bundle with one byte changed is refused (422) and leaves no domain, volume or file',
  GUARD,
  async () => {
    const bad = Buffer.from(tarBundle);
    const at = bad.indexOf(Buffer.alloc(512, 0x5a));
    assert.ok(at > 0);
    bad.writeUInt8(bad.readUInt8(at + 4096) ^ 0xff, at + 4096);
    const pool = await lv.pools.lookup('default');
    // Only this import's volumes: other test files come and go in the same pool meanwhile.
    const ours = async () =>
      (await pool.volumes.list())
        .map((v) => v.name)
        .filter((n) => n.includes(`${name}-bad`) || n.startsWith(`.phyllo-import-${process.pid}-`));
    await pool.refresh();
    assert.deepEqual(await ours(), []);
    const res = await upload(bad, `?name=${name}-bad`);
    assert.equal(res.statusCode, 422, res.body);
    assert.equal(res.json().error.code, 'bundle-invalid');
    assert.match(res.json().error.message, /disks\/vda\.raw/);
    assert.equal(await exists(lv, `${name}-bad`), false);
    await pool.refresh();
    assert.deepEqual(await ours(), [], 'no volume left');
    assert.deepEqual(leftovers(`${name}-bad`), [], 'no file left');
    const job = api.jobs.list().find((j) => j.kind === 'import' && j.vm === `${name}-bad`);
    assert.equal(job?.state, 'failed');
    // A taken name is refused before the body is read.
    const taken = await upload(Buffer.alloc(0), `?name=${name}`);
    assert.equal(taken.statusCode, 409);
    assert.equal(taken.json().error.code, 'vm-exists');
    const json = await api.call('POST', `/api/vms/import?name=${name}-json`, { bundle: 'x' });
    assert.equal(json.statusCode, 400);
    assert.match(json.json().error.message, /application\/octet-stream/);
  },
);

test('an upload cut mid-way cancels the import: nothing is left', GUARD, async () => {
  const vm = `${name}-cut`;
  const req = request(`${url}/api/vms/import?name=${vm}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${api.token}`,
      origin: url,
      'content-type': 'application/octet-stream',
      'content-length': String(tarBundle.length),
    },
  });
  req.on('error', () => undefined);
  req.write(tarBundle.subarray(0, tarBundle.length / 2));
  const job = await waitFor('the import to write data', async () => {
    const j = api.jobs.list().find((x) => x.kind === 'import' && x.vm === vm);
    return j && j.progress.done > 0 ? j : undefined;
  });
  assert.ok(leftovers(vm).length > 0, 'it had begun writing the disk');
  req.destroy();
  const ended: JobView = await doneJob(job.id);
  assert.equal(ended.state, 'cancelled');
  assert.equal(await exists(lv, vm), false);
  assert.deepEqual(leftovers(vm), [], 'no file left');
});

test(
  'POST …/move to another connected host: refusals at once, then a copy there (keepSource) and a move',
  { ...GUARD, skip: noSecondHost },
  async () => {
    const lvB = await connect(hostB!.uri);
    try {
      const refused = async (body: unknown, status: number, code: string) => {
        const res = await api.call('POST', `/api/vms/${name}/move`, body);
        assert.equal(res.statusCode, status, res.body);
        assert.equal(res.json().error.code, code);
      };
      await refused({ to: 'local' }, 422, 'move-same-host');
      await refused({ to: 'elsewhere' }, 404, 'host-not-found');
      const before = guestSha(disk);

      const copy = await api.call('POST', `/api/vms/${name}/move`, { to: idB, keepSource: true });
      assert.equal(copy.statusCode, 202, copy.body);
      const job = await doneJob((copy.json() as JobView).id);
      assert.equal(job.state, 'done', JSON.stringify(job.error));
      assert.equal(job.kind, 'move');
      const result = job.result as { imported: { name: string; disk: string }; deleted?: unknown };
      assert.equal(result.imported.name, name);
      assert.equal(result.deleted, undefined, 'keepSource: nothing deleted');
      assert.equal(await exists(lv, name), true, 'still here');
      assert.equal(await exists(lvB, name), true, 'and there');
      const there = join(hostB!.dir, 'lib', result.imported.disk.replace(/^\/var\/lib\/libvirt\//, ''));
      assert.equal(guestSha(there), before, 'the disk’s content there');
      const listed = (await api.call('GET', `/api/vms?host=${idB}`)).json() as { name: string }[];
      assert.ok(listed.some((v) => v.name === name));
      await refused({ to: idB }, 409, 'vm-exists');

      const moved = await api.call('POST', `/api/vms/${back}/move`, { to: idB });
      assert.equal(moved.statusCode, 202, moved.body);
      const m = await doneJob((moved.json() as JobView).id);
      assert.equal(m.state, 'done', JSON.stringify(m.error));
      assert.ok(
        (m.result as { deleted?: { removed: string[] } }).deleted?.removed.length,
        'the source removed',
      );
      assert.equal(await exists(lv, back), false, 'gone from here');
      assert.equal(await exists(lvB, back), true, 'there');
    } finally {
      await lvB.close();
    }
  },
);

test('the OpenAPI document shows the upload’s raw body and the download’s media type', GUARD, async () => {
  const doc = (await api.call('GET', '/api/openapi.json')).json() as {
    paths: Record<
      string,
      Record<string, { requestBody?: { content: object }; responses: Record<string, { content?: object }> }>
    >;
  };
  assert.deepEqual(Object.keys(doc.paths['/api/vms/import']!.post!.requestBody!.content), [
    'application/octet-stream',
  ]);
  assert.deepEqual(Object.keys(doc.paths['/api/vms/{name}/export']!.get!.responses['200']!.content!), [
    'application/octet-stream',
  ]);
});
