import { join } from 'node:path';
import {
  type BootTestCache,
  emptyBootTestCache,
  readBootTestCache,
  writeBootTestCache,
} from './boot-test-cache.js';
import { phyllomeCacheDir } from './cache-dir.js';
import { RootFs } from './root-fs.js';
import { LocalSystem } from './local-system.js';
import { FixtureSystem } from './fixture-system.js';
import { QEMU_X86 } from './qemu-boot.js';
import { stderrSpinner } from './spinner.js';
import type { BootTestResult, DeviceIdentity, HostSystem } from './system.js';

/** A real kernel reaches init in well under a second under KVM; TCG needs ~2-3 s on a slow machine. */
export const BOOT_TEST_DEADLINE_MS = 8000;
const QEMU_VERSION_TIMEOUT_MS = 5000;
const CACHE_FILE = 'kvm-boot-test.json';

/**
 * - `works`: a Linux guest booted to init under KVM: use `<domain type='kvm'>`.
 * - `broken`: /dev/kvm is there but a guest does not boot under it: use TCG (`type='qemu'`).
 * - `unavailable`: no usable /dev/kvm or no QEMU: use TCG.
 * - `unknown`: the test could not run (no guest kernel): KVM is unproven; treat as not usable.
 */
export type KvmState = 'works' | 'broken' | 'unavailable' | 'unknown';

export interface KvmVerdict {
  state: KvmState;
  /** True only when a guest really booted under KVM: the VM model picks `kvm` iff this is true. */
  usable: boolean;
  /** One line for people: "KVM works" / "KVM is broken here: guests will be emulated (TCG, 10-50× slower)". */
  summary: string;
  /** What was seen, e.g. "the firmware (SeaBIOS) printed under KVM, but the kernel never started within 8 s". */
  detail: string;
  /** Whether this came from the cache rather than a boot test run now. */
  cached: boolean;
  /** ISO time of the boot test (absent when none ran). */
  testedAt?: string;
  /** Cache key: kernel release, QEMU version, /dev/kvm identity. */
  key?: string;
  test?: BootTestResult;
}

export interface KvmVerdictOptions {
  /** Run the boot test again even when a cached result exists (`host check --retest`). */
  retest?: boolean;
  /** Progress messages while the test runs; default: a spinner on stderr when it is a TTY. */
  onProgress?: (message: string) => void;
  /** Probe root (default `/`). */
  root?: string;
  /** Default: LocalSystem on `root` (or the fixture's scripted system). */
  system?: HostSystem;
  /**
   * Default: `$XDG_CACHE_HOME/phyllome` or `~/.cache/phyllome` when `root` is `/`; with another root
   * and no cacheDir nothing is cached (a fixture's result must not land in the user's cache).
   */
  cacheDir?: string;
  deadlineMs?: number;
}

/** The first line of `qemu-system-x86_64 --version`: "QEMU emulator version 7.2.22 (…)". */
export function parseQemuVersion(text: string): string | undefined {
  return /version\s+(\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1];
}

export function bootTestCacheKey(kernelRelease: string, qemuVersion: string, kvm: DeviceIdentity): string {
  return `kernel=${kernelRelease} qemu=${qemuVersion} kvm=${kvm.dev}:${kvm.ino}:${kvm.rdev}`;
}

export const TCG_NOTE = 'guests will be emulated (TCG, 10-50× slower)';

/** Turns a boot-test result into the verdict the VM model and `phyllo status` use. */
export function verdictFromTest(
  test: BootTestResult,
  extra: { cached: boolean; testedAt?: string; key?: string },
): KvmVerdict {
  const base = { cached: extra.cached, test, ...(extra.testedAt ? { testedAt: extra.testedAt } : {}) };
  const withKey = extra.key ? { ...base, key: extra.key } : base;
  // A run of the mechanism under emulation (the remote test's `virttype: 'qemu'`) proves the guest
  // and the path to it, never KVM.
  if (test.kvm?.accel === 'tcg')
    return {
      ...withKey,
      state: 'unknown',
      usable: false,
      summary: test.kvm.booted
        ? 'KVM was not tested: the test guest was booted under TCG (emulation) instead, and it ran'
        : 'KVM was not tested: the test guest was booted under TCG (emulation) instead, and it did not run',
      detail: [test.kvm.seen, ...(test.kvm.lastLine ? [`last line: "${test.kvm.lastLine}"`] : [])].join('; '),
    };
  if (test.outcome === 'booted')
    return {
      ...withKey,
      state: 'works',
      usable: true,
      summary: 'KVM works',
      detail: test.kvm?.seen ?? 'booted',
    };
  if (test.outcome === 'not-run')
    return {
      ...withKey,
      state: 'unknown',
      usable: false,
      summary: `KVM could not be tested: ${TCG_NOTE} until it is`,
      detail: test.reason ?? 'the boot test did not run',
    };
  const parts = [test.kvm?.seen ?? 'the guest did not boot under KVM'];
  if (test.kvm?.lastLine) parts.push(`last line: "${test.kvm.lastLine}"`);
  if (test.control)
    parts.push(
      test.control.booted
        ? `control: ${test.control.seen}, so the test guest is fine and KVM is what fails`
        : `control: ${test.control.seen}, so the test guest itself may be broken`,
    );
  if (test.guest) parts.push(`guest: ${test.guest}`);
  return {
    ...withKey,
    state: 'broken',
    usable: false,
    summary: `/dev/kvm is present but a guest does not boot under KVM: ${TCG_NOTE}`,
    detail: parts.join('; '),
  };
}

function systemFor(root: string, cacheDir: string): HostSystem {
  return FixtureSystem.fromRoot(root) ?? new LocalSystem(root, cacheDir);
}

/**
 * Does KVM really run a guest on this host? Reads the cached boot-test result for (kernel release,
 * QEMU version, /dev/kvm identity), or boots a tiny Linux guest under KVM once (a few seconds, with a
 * spinner on stderr when it is a terminal) and caches the result. `retest` ignores the cache.
 */
export async function kvmVerdict(options: KvmVerdictOptions = {}): Promise<KvmVerdict> {
  const root = options.root ?? '/';
  const fs = RootFs.open(root);
  const cacheDir = options.cacheDir ?? phyllomeCacheDir();
  const system = options.system ?? systemFor(root, cacheDir);
  const kvmId = await system.identity('/dev/kvm');
  if (!kvmId.known)
    return {
      state: 'unavailable',
      usable: false,
      cached: false,
      summary: `/dev/kvm is missing: ${TCG_NOTE}`,
      detail: kvmId.reason,
    };
  const open = await system.canOpen('/dev/kvm');
  if (!open.known)
    return {
      state: 'unavailable',
      usable: false,
      cached: false,
      summary: `/dev/kvm cannot be opened by this user: ${TCG_NOTE}`,
      detail: open.reason,
    };
  // A probe of another root (a fixture tree) must never read or write the user's cache.
  const useCache = options.cacheDir !== undefined || root === '/';
  const cachePath = join(cacheDir, CACHE_FILE);
  const cache: BootTestCache = useCache ? readBootTestCache(cachePath) : emptyBootTestCache();
  // `qemu --version` costs a process; the version is remembered per binary (path, device, inode:
  // an upgrade writes a new file), so a cached verdict needs no process at all.
  const qemuPath = await system.which(QEMU_X86);
  const qemuId = qemuPath.known ? await system.identity(qemuPath.value) : undefined;
  const binKey =
    qemuPath.known && qemuId?.known ? `${qemuPath.value}:${qemuId.value.dev}:${qemuId.value.ino}` : undefined;
  let qemuVersion = binKey ? cache.qemuVersions?.[binKey] : undefined;
  if (!qemuVersion) {
    const version = await system.run(QEMU_X86, ['--version'], QEMU_VERSION_TIMEOUT_MS);
    qemuVersion = version.known ? parseQemuVersion(version.value.stdout) : undefined;
    if (!qemuVersion)
      return {
        state: 'unavailable',
        usable: false,
        cached: false,
        summary: `QEMU is not installed: no guest can run`,
        detail: version.known ? `${QEMU_X86} --version printed no version` : version.reason,
      };
    if (binKey && useCache) {
      cache.qemuVersions = { [binKey]: qemuVersion };
      writeBootTestCache(cachePath, cache);
    }
  }
  const release = fs.attr('proc/sys/kernel/osrelease');
  const key = bootTestCacheKey(release.known ? release.value : 'unknown', qemuVersion, kvmId.value);
  const hit = cache.entries[key];
  if (hit && !options.retest) return verdictFromTest(hit.test, { cached: true, testedAt: hit.testedAt, key });

  const spinner = options.onProgress ? undefined : stderrSpinner();
  const onProgress = options.onProgress ?? spinner?.update;
  let test: BootTestResult;
  try {
    test = await system.runKvmBootTest({
      deadlineMs: options.deadlineMs ?? BOOT_TEST_DEADLINE_MS,
      control: true,
      ...(onProgress ? { onProgress } : {}),
    });
  } finally {
    spinner?.stop();
  }
  const testedAt = new Date().toISOString();
  // "Could not test" is not a result worth keeping: the next run may have a guest kernel.
  if (useCache && test.outcome !== 'not-run') {
    cache.entries[key] = { testedAt, test };
    writeBootTestCache(cachePath, cache);
  }
  return verdictFromTest(test, { cached: false, testedAt, key });
}
