import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
  accessSync,
  constants,
} from 'node:fs';
import { join } from 'node:path';
import { bootTestInitramfs } from './initramfs.js';

/** Where `scripts/build-test-guest.sh` leaves the tiny test guest. */
export const TEST_GUEST_DIR = '/var/cache/phyllome/test-guest';
const STATIC_BUSYBOX = ['bin/busybox', 'usr/bin/busybox'];

export interface GuestImage {
  kernel: string;
  initrd: string;
  /** Plain words for the report: which guest was booted. */
  label: string;
}

export type GuestLookup = { found: true; image: GuestImage } | { found: false; reason: string };

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Orders `vmlinuz-6.1.0-56-cloud-amd64` style names by their version numbers, newest first. */
function newestFirst(a: string, b: string): number {
  return b.localeCompare(a, 'en', { numeric: true });
}

/**
 * Finds a kernel and initramfs to boot: the project's test guest (`$PHYLLO_TEST_GUEST_DIR` or
 * /var/cache/phyllome/test-guest), else the host's own kernel from /boot with a generated
 * busybox initramfs (cached in `cacheDir`).
 */
export function findGuestImage(
  root: string,
  cacheDir: string,
  env: NodeJS.ProcessEnv = process.env,
): GuestLookup {
  const dirs = [env.PHYLLO_TEST_GUEST_DIR, join(root, TEST_GUEST_DIR)].filter((d): d is string => !!d);
  for (const dir of dirs) {
    const kernel = join(dir, 'vmlinuz');
    const initrd = join(dir, 'initrd.img');
    if (readable(kernel) && readable(initrd))
      return { found: true, image: { kernel, initrd, label: `test guest ${dir}` } };
  }
  const boot = join(root, 'boot');
  let kernels: string[] = [];
  try {
    kernels = readdirSync(boot)
      .filter((n) => n.startsWith('vmlinuz-'))
      .sort(newestFirst);
  } catch {
    // no /boot
  }
  const kernelName = kernels.find((k) => readable(join(boot, k)));
  if (!kernelName)
    return {
      found: false,
      reason: kernels.length
        ? `no guest kernel to test with: ${boot}/${kernels[0]} is not readable (run as root)`
        : `no guest kernel to test with: neither ${TEST_GUEST_DIR} nor ${boot}/vmlinuz-* exists (install a kernel: sudo apt install linux-image-amd64)`,
    };
  const busybox = STATIC_BUSYBOX.map((p) => join(root, p)).find(readable);
  if (!busybox)
    return {
      found: false,
      reason: 'no guest initramfs to test with: install busybox-static (Debian package)',
    };
  const initrd = join(cacheDir, 'kvm-boot-test-initrd.img');
  if (!existsSync(initrd)) {
    try {
      mkdirSync(cacheDir, { recursive: true });
      writeFileSync(initrd, bootTestInitramfs(readFileSync(busybox)));
    } catch (err) {
      return { found: false, reason: `could not write ${initrd}: ${(err as Error).message}` };
    }
  }
  return {
    found: true,
    image: { kernel: join(boot, kernelName), initrd, label: `host kernel ${kernelName}` },
  };
}
