/**
 * A UEFI (OVMF, firmware='efi') + TPM 2.0 (swtpm) test guest with one qcow2 data disk in libvirt's
 * default pool, booted by direct kernel boot: it gets NVRAM and TPM state at its first start, writes
 * its report line and powers off. For the clone, snapshot and delete tests and the clone benchmark.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Domain, type Libvirt } from '../../src/libvirt/index.js';
import { testGuestDomainXml } from './test-guest.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);
export const IMAGES = '/var/lib/libvirt/images';

/** Where the guests' serial logs go: a directory of this test process, removed when it exits. */
let logDir: string | undefined;
function serialLogPath(name: string): string {
  if (!logDir) {
    const dir = (logDir = mkdtempSync(join(tmpdir(), 'phyllo-uefi-guest-')));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return join(logDir, `${name}.serial.log`);
}

/** Defines `name` with a new `sizeMiB` qcow2 disk; returns the domain and the disk's path. */
export async function defineUefiGuest(
  lv: Libvirt,
  name: string,
  sizeMiB = 32,
): Promise<{ dom: Domain; disk: string; serial: string }> {
  const pool = await lv.pools.lookup('default');
  const vol = await pool.volumes.create(
    `<volume><name>${name}.qcow2</name><capacity unit='MiB'>${sizeMiB}</capacity><target><format type='qcow2'/></target></volume>`,
  );
  const disk = await vol.path();
  const serial = serialLogPath(name);
  const xml = testGuestDomainXml({
    name,
    tpm: true,
    userNetwork: true,
    poweroffAfterReport: true,
    serialFile: serial,
    extraDevices: `    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${disk}'/><target dev='vda' bus='virtio'/></disk>`,
  }).replace('<os>', "<os firmware='efi'>");
  return { dom: await lv.domains.define(xml), disk, serial };
}

/** Starts the guest and waits until it powered itself off (a hang guard, not a speed limit). */
export async function bootOnce(dom: Domain): Promise<void> {
  await dom.start();
  await waitFor(
    `${dom.name} shut off`,
    async () => ((await dom.state()).state === 'shutoff' ? true : undefined),
    { limitMs: 300_000, everyMs: 300 },
  );
}

export async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** Writes `pattern` (a byte) at `offset` through qemu-io (the image's own format, its chain). */
export async function writePattern(
  path: string,
  pattern: number,
  offset: number,
  length = 65536,
): Promise<void> {
  await run('qemu-io', ['-f', 'qcow2', '-c', `write -P ${pattern} ${offset} ${length}`, path]);
}

/** Whether the image reads `pattern` at `offset` (through its backing chain). */
export async function readsPattern(
  path: string,
  pattern: number,
  offset: number,
  length = 65536,
): Promise<boolean> {
  const args = ['-f', 'qcow2', '-r', '-U', '-c', `read -P ${pattern} ${offset} ${length}`, path];
  const out = await run('qemu-io', args).then(
    (r) => r.stdout,
    (err: { stdout?: string }) => {
      if (err.stdout === undefined) throw err;
      return err.stdout;
    },
  );
  if (/Pattern verification failed/.test(out)) return false;
  if (!/^read \d+\/\d+ bytes/m.test(out)) throw new Error(`qemu-io could not read ${path}: ${out}`);
  return true;
}

/** Whether swtpm manufactured a TPM (a fresh EK) for the VM: its log says so at the first start. */
export async function manufacturedTpm(name: string): Promise<boolean> {
  const log = await readFile(`/var/log/swtpm/libvirt/qemu/${name}-swtpm.log`, 'utf8').catch(() => '');
  return /Starting vTPM manufacturing/.test(log);
}
