/**
 * `vm create --iso PATH` without `--os` on the real system daemon: the OS comes from the medium's
 * volume id (here ISO images whose descriptors carry real installers' ids), the choice is the first
 * decision with its reason, an unknown medium is a typed error that defines nothing, and the
 * descriptor of a storage volume is read through a ranged download (the remote-host path).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { run as create } from '../../src/cli/commands/vm-create.js';
import type { CommandContext } from '../../src/cli/command.js';
import { PhyllomeError } from '../../src/errors.js';
import { connect, isNotFound, type Libvirt } from '../../src/libvirt/index.js';
import { readMediumIdentity } from '../../src/machines/detect-os.js';
import { isRoot, uniqueName } from '../libvirt/helpers.js';
import { isoImage } from '../support/iso-image.js';

let dir: string;
let lv: Libvirt;
const names: string[] = [];

function ctx(name: string, iso: string): CommandContext {
  names.push(name);
  return {
    positionals: [name],
    values: { json: true, iso, 'disk-size': 'none', display: 'none', connect: 'qemu:///system' },
    json: true,
    progress: new PassThrough(),
    isTTY: false,
  };
}

const skip = !isRoot && 'needs root (the system daemon)';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phyllo-detect-'));
  chmodSync(dir, 0o755);
  writeFileSync(
    join(dir, 'ubuntu.iso'),
    isoImage({ volumeId: 'Ubuntu-Server 22.04.3 LTS amd64', systemId: 'LINUX' }),
  );
  writeFileSync(
    join(dir, 'debian12.iso'),
    isoImage({ volumeId: 'Debian 12.2.0 amd64 n', systemId: 'LINUX' }),
  );
  writeFileSync(
    join(dir, 'win11.iso'),
    isoImage({ volumeId: 'CCCOMA_X64FRE_EN-US_DV9', publisherId: 'MICROSOFT CORPORATION' }),
  );
  if (isRoot) lv = await connect('qemu:///system');
});
after(async () => {
  if (lv) {
    for (const n of names) {
      const d = await lv.domains.lookup(n).catch(() => undefined);
      await d?.undefine(4 | 32).catch(() => undefined);
    }
    await lv.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

test('an Ubuntu Server medium makes an ubuntu22.04 VM, and says why', { skip }, async () => {
  const name = uniqueName('detect');
  const r = await create(ctx(name, join(dir, 'ubuntu.iso')));
  const data = r.data as {
    detected: { os: string; reason: string };
    decisions: { topic: string; choice: string; reason: string }[];
  };
  assert.equal(data.detected.os, 'ubuntu22.04');
  assert.equal(data.decisions[0]?.topic, 'os');
  assert.match(data.decisions[0]?.choice ?? '', /^ubuntu22\.04 .*detected from the installer medium/);
  assert.match(data.detected.reason, /volume id "Ubuntu-Server 22\.04\.3 LTS amd64" matches/);
  assert.match(r.human(), /OS: .*\(ubuntu22\.04\), detected: /);
  const xml = await (await lv.domains.lookup(name)).xml();
  assert.match(xml, /http:\/\/ubuntu\.com\/ubuntu\/22\.04/, 'the libosinfo id in the metadata');
});

test('a Windows 11 medium (same ids as Windows 10) picks win11 and names win10', { skip }, async () => {
  const name = uniqueName('detect');
  const r = await create({
    ...ctx(name, join(dir, 'win11.iso')),
    values: { ...ctx(name, join(dir, 'win11.iso')).values, 'print-xml': true },
  });
  const data = r.data as { detected: { os: string; reason: string; alsoMatches: string[] } };
  assert.equal(data.detected.os, 'win11');
  assert.deepEqual(data.detected.alsoMatches, ['win10']);
  assert.match(data.detected.reason, /give --os win10 if it is that one/);
});

test('an unknown medium is a typed error naming its volume id, and defines nothing', { skip }, async () => {
  const name = uniqueName('detect');
  await assert.rejects(create(ctx(name, join(dir, 'debian12.iso'))), (e: unknown) => {
    assert.ok(e instanceof PhyllomeError, String(e));
    assert.equal(e.code, 'unknown-medium');
    assert.match(e.message, /volume id "Debian 12\.2\.0 amd64 n" matches no installer medium/);
    assert.match(e.hint ?? '', /phyllo os list/);
    assert.match(e.hint ?? '', /--os ID/);
    return true;
  });
  await assert.rejects(lv.domains.lookup(name), (e: unknown) => isNotFound(e));
});

test(
  'a storage volume’s descriptor is read through libvirt (how a remote host’s ISO is identified)',
  { skip },
  async () => {
    const poolName = uniqueName('detect-pool');
    const pool = await lv.pools.define(
      `<pool type='dir'><name>${poolName}</name><target><path>${dir}</path></target></pool>`,
    );
    try {
      await pool.start();
      const id = await readMediumIdentity(join(dir, 'ubuntu.iso'), lv);
      assert.equal(id?.volumeId, 'Ubuntu-Server 22.04.3 LTS amd64');
      assert.equal(id?.systemId, 'LINUX');
      assert.equal(await readMediumIdentity(join(dir, 'absent.iso'), lv), undefined);
    } finally {
      await pool.destroy().catch(() => undefined);
      await pool.undefine().catch(() => undefined);
    }
  },
);
