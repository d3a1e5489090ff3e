import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { attemptOutcome } from '../host/boot-output.js';
import { readBootTestCache, writeBootTestCache } from '../host/boot-test-cache.js';
import { phyllomeCacheDir } from '../host/cache-dir.js';
import { guestImageHash } from '../host/guest-hash.js';
import { findGuestImage, type GuestImage } from '../host/guest-image.js';
import { BOOT_TEST_DEADLINE_MS, type KvmVerdict, verdictFromTest } from '../host/kvm-verdict.js';
import { CONTROL_DEADLINE_FACTOR } from '../host/local-system.js';
import { stderrSpinner } from '../host/spinner.js';
import type { BootAccel, BootTestResult } from '../host/system.js';
import { ConnectionClosedError, type Libvirt, type StorageVolume } from '../libvirt/index.js';
import {
  BOOT_TEST_POOL,
  BOOT_TEST_VOLUME_PREFIX,
  bootTestPool,
  sweepStaleVolumes,
  uploadVolume,
} from './boot-test-pool.js';
import { bootOnHost } from './console-boot.js';
import { hostOffer, notOfferedVerdict } from './kvm-offer.js';

const CACHE_FILE = 'kvm-boot-test-remote.json';

export interface RemoteKvmVerdictOptions {
  /** Run the boot test again even when a cached result exists. */
  retest?: boolean;
  /** Progress messages while the test runs; default: a spinner on stderr when it is a terminal. */
  onProgress?: (message: string) => void;
  /**
   * `kvm` (default) tests KVM. `qemu` runs the very same test under TCG: it proves the mechanism
   * (upload, transient domain, console) where KVM does not work, and never says KVM works.
   */
  virttype?: 'kvm' | 'qemu';
  /** How long the guest may take to reach init under KVM; TCG gets 3× as long. Default 8 s. */
  deadlineMs?: number;
  /** Default: the user's Phyllome cache dir, the one the local verdict uses. */
  cacheDir?: string;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Uploads the guest, boots it (and, when KVM fails, again under TCG as a control), removes it again. */
async function runRemoteBootTest(
  lv: Libvirt,
  image: GuestImage,
  accel: BootAccel,
  deadlineMs: number,
  progress: (message: string) => void,
): Promise<BootTestResult> {
  const token = `${BOOT_TEST_VOLUME_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`;
  const volumes: StorageVolume[] = [];
  try {
    let paths: { kernel: string; initrd: string };
    try {
      progress(`uploading the test guest to the libvirt pool ${BOOT_TEST_POOL}`);
      const pool = await bootTestPool(lv);
      const kernel = await uploadVolume(pool, `${token}-vmlinuz`, image.kernel);
      volumes.push(kernel);
      const initrd = await uploadVolume(pool, `${token}-initrd.img`, image.initrd);
      volumes.push(initrd);
      paths = { kernel: await kernel.path(), initrd: await initrd.path() };
      // What a test that died mid-way left here (its connection gone, it could not delete).
      await sweepStaleVolumes(pool, kernel).catch(() => undefined);
    } catch (err) {
      if (err instanceof ConnectionClosedError) throw err;
      return {
        outcome: 'not-run',
        reason: `the test guest could not be uploaded to the host: ${message(err)}`,
      };
    }
    const name = `phyllome-${token}`;
    const tcgDeadline = deadlineMs * CONTROL_DEADLINE_FACTOR;
    const first = accel === 'kvm' ? deadlineMs : tcgDeadline;
    progress(
      `booting a test guest under ${accel === 'kvm' ? 'KVM' : 'TCG'} on the host (up to ${first / 1000} s)`,
    );
    const attempt = await bootOnHost(lv, name, accel, paths, first);
    const outcome = attemptOutcome(attempt);
    if (outcome === 'booted' || accel === 'tcg') return { outcome, guest: image.label, kvm: attempt };
    progress(`booting the same guest under TCG as a control (up to ${tcgDeadline / 1000} s)`);
    const control = await bootOnHost(lv, `${name}-tcg`, 'tcg', paths, tcgDeadline);
    return { outcome, guest: image.label, kvm: attempt, control };
  } finally {
    for (const vol of volumes) await vol.delete().catch(() => undefined);
  }
}

/**
 * Does KVM really run a guest on the host at the other end of `lv` (`qemu+ssh://…`, `qemu+tcp://…`,
 * or a local daemon)? When libvirt there offers `<domain type='kvm'>` for x86_64, the test guest's
 * kernel and initramfs are uploaded into Phyllome's pool on that host and booted as a transient
 * domain whose serial console is read through libvirt, judged like the local boot test's output.
 * The verdict is cached per (host UUID, libvirt version, QEMU version, guest image, virttype); `retest`
 * ignores the cache. No domain or volume outlives the call (after a lost connection, which is thrown as
 * ConnectionClosedError and never cached, libvirt destroys the domain and the next test on that host
 * sweeps the volumes).
 */
export async function remoteKvmVerdict(lv: Libvirt, opts: RemoteKvmVerdictOptions = {}): Promise<KvmVerdict> {
  const virttype = opts.virttype ?? 'kvm';
  const [capsXml, libvirtVersion, qemuVersion] = await Promise.all([
    lv.capabilities(),
    lv.libVersion(),
    lv.hypervisorVersion(),
  ]);
  const offer = hostOffer(capsXml);
  const notOffered = notOfferedVerdict(offer, virttype);
  if (notOffered) return notOffered;

  const cacheDir = opts.cacheDir ?? phyllomeCacheDir();
  const lookup = findGuestImage('/', cacheDir);
  if (!lookup.found) return verdictFromTest({ outcome: 'not-run', reason: lookup.reason }, { cached: false });
  const cachePath = join(cacheDir, CACHE_FILE);
  const cache = readBootTestCache(cachePath);
  const hashes = { ...cache.guestHashes };
  const guest = guestImageHash(lookup.image, hashes).slice(0, 16);
  // A newly hashed image is remembered even when the verdict is a hit, so the next call only stats.
  if (JSON.stringify(hashes) !== JSON.stringify(cache.guestHashes ?? {}))
    writeBootTestCache(cachePath, { ...cache, guestHashes: hashes });
  const key =
    `host=${offer.hostUuid} libvirt=${libvirtVersion.major}.${libvirtVersion.minor}.${libvirtVersion.release}` +
    ` qemu=${qemuVersion.major}.${qemuVersion.minor}.${qemuVersion.release} guest=${guest} virttype=${virttype}`;
  const hit = cache.entries[key];
  if (hit && !opts.retest) return verdictFromTest(hit.test, { cached: true, testedAt: hit.testedAt, key });

  const spinner = opts.onProgress ? undefined : stderrSpinner();
  const progress = opts.onProgress ?? spinner?.update ?? (() => undefined);
  let test: BootTestResult;
  try {
    const accel: BootAccel = virttype === 'kvm' ? 'kvm' : 'tcg';
    test = await runRemoteBootTest(
      lv,
      lookup.image,
      accel,
      opts.deadlineMs ?? BOOT_TEST_DEADLINE_MS,
      progress,
    );
  } finally {
    spinner?.stop();
  }
  const testedAt = new Date().toISOString();
  // "Could not test" is not worth keeping: the next run may succeed in uploading the guest.
  if (test.outcome !== 'not-run') {
    const fresh = readBootTestCache(cachePath);
    fresh.entries[key] = { testedAt, test };
    fresh.guestHashes = hashes;
    writeBootTestCache(cachePath, fresh);
  }
  return verdictFromTest(test, { cached: false, testedAt, key });
}
