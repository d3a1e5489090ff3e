/**
 * OVAs built the way VirtualBox and ovftool build them, for tests: a fixture OVF (test/fixtures/ova/),
 * a streamOptimized VMDK made by qemu-img from a 16 MiB raw image of known content, a SHA256
 * manifest, in a ustar archive (`tar --format=ustar`).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = new URL('../../../test/fixtures/ova/', import.meta.url);
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export interface OvaKit {
  /** The raw image's SHA-256: what the guest must see in the imported disk. */
  rawSha: string;
  /** The good VMDK's bytes. */
  vmdk(): Buffer;
  /**
   * An OVA of `fixture` whose virtual system is renamed `system`, with the VMDK `vmdk` (default: the
   * good one) under the name `disk`, and a manifest of `manifestDisk` (default: the VMDK as it is).
   */
  build(
    fixture: string,
    disk: string,
    system: string,
    opts?: { vmdk?: Buffer; manifestDisk?: Buffer },
  ): string;
}

/** Makes the raw image and its VMDK in `dir`; OVAs are built in directories below it. */
export function ovaKit(dir: string): OvaKit {
  // 16 MiB: 1 MiB of a pattern at 1 MiB, 1 MiB of hashed bytes at 8 MiB, the rest zeros (holes).
  const data = Buffer.alloc(16 << 20);
  data.fill(0x5a, 1 << 20, 2 << 20);
  for (let i = 8 << 20; i < 9 << 20; i += 32) createHash('sha256').update(String(i)).digest().copy(data, i);
  const raw = join(dir, 'disk.raw');
  const good = join(dir, 'good.vmdk');
  writeFileSync(raw, data);
  execFileSync('qemu-img', [
    'convert',
    '-f',
    'raw',
    '-O',
    'vmdk',
    '-o',
    'subformat=streamOptimized',
    raw,
    good,
  ]);
  return {
    rawSha: sha(data),
    vmdk: () => readFileSync(good),
    build(fixture, disk, system, opts = {}) {
      const ovaDir = mkdtempSync(join(dir, 'ova-'));
      const ovf = readFileSync(new URL(fixture, FIXTURES), 'utf8')
        .replaceAll('debian 12 (test)', system)
        .replaceAll('ubuntu-server</Name>', `${system}</Name>`);
      const vmdk = opts.vmdk ?? readFileSync(good);
      writeFileSync(join(ovaDir, 'appliance.ovf'), ovf);
      writeFileSync(join(ovaDir, disk), vmdk);
      writeFileSync(
        join(ovaDir, 'appliance.mf'),
        `SHA256(appliance.ovf)= ${sha(ovf)}\nSHA256(${disk})= ${sha(opts.manifestDisk ?? vmdk)}\n`,
      );
      const ova = join(ovaDir, 'appliance.ova');
      execFileSync('tar', [
        '--format=ustar',
        '-cf',
        ova,
        '-C',
        ovaDir,
        'appliance.ovf',
        'appliance.mf',
        disk,
      ]);
      return ova;
    },
  };
}
