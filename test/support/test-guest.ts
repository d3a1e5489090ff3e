/**
 * The tiny test guest (docs/test-guest.md): a Debian cloud kernel and a busybox initramfs, built by
 * scripts/build-test-guest.sh, that boots under TCG in seconds and reports on its serial console
 * what the virtual machine gave it. This module finds the built files, writes a domain for it and
 * reads its report.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PhyllomeError } from '../../src/errors.js';

export const TEST_GUEST_DIR_ENV = 'PHYLLO_TEST_GUEST_DIR';
export const DEFAULT_TEST_GUEST_DIR = '/var/cache/phyllome/test-guest';
const BUILD_HINT = 'build it once (as root) with: bash scripts/build-test-guest.sh';

/** Virtio device ids as the guest reads them from /sys/bus/virtio/devices/<dev>/device. */
export const VIRTIO_DEVICE_ID = {
  net: 1,
  block: 2,
  console: 3,
  rng: 4,
  balloon: 5,
  scsi: 8,
  gpu: 16,
  input: 18,
} as const;

/** The marker that starts the guest's one report line. */
export const REPORT_MARKER = 'PHYLLO-GUEST';
/** The prefix of each line the guest echoes back from its serial console. */
export const ECHO_MARKER = 'PHYLLO-ECHO';
/** Kernel command line switch: power off right after the report. */
export const POWEROFF_CMDLINE = 'phyllo.poweroff=1';
/** Kernel command line word `phyllo.share=TAG`: mount the virtiofs share TAG and report its file. */
export const SHARE_CMDLINE_PREFIX = 'phyllo.share=';
/** The file in the shared directory whose first line the guest reports as `share=`. */
export const SHARE_FILE = 'phyllo-share.txt';
/** `share=error`: the share named on the command line did not mount, or its file was missing or empty. */
export const SHARE_ERROR = 'error';

const DEFAULT_MEMORY_MIB = 256;
const DEFAULT_VCPUS = 1;
/** A timeout here means the guest never reported: a failure, not a speed limit. */
const DEFAULT_REPORT_TIMEOUT_MS = 120_000;
const REPORT_POLL_INTERVAL_MS = 200;
const TAIL_CHARS_IN_ERRORS = 2000;

export class TestGuestMissingError extends PhyllomeError {
  override name = 'TestGuestMissingError';
  constructor(dir: string) {
    super('test-guest-missing', `the test guest is not built: no vmlinuz/initrd.img in ${dir}`, {
      hint: BUILD_HINT,
    });
  }
}

export class GuestReportParseError extends PhyllomeError {
  override name = 'GuestReportParseError';
  constructor(reason: string) {
    super('guest-report-invalid', `not a test guest report line: ${reason}`, {
      hint: 'the guest writes one line starting with PHYLLO-GUEST; see docs/test-guest.md',
    });
  }
}

export class GuestReportTimeoutError extends PhyllomeError {
  override name = 'GuestReportTimeoutError';
  /** The end of the serial file when waiting gave up, for the test's failure message. */
  readonly serialTail: string;
  constructor(serialFile: string, timeoutMs: number, serialTail: string) {
    super('guest-report-timeout', `no ${REPORT_MARKER} line in ${serialFile} after ${timeoutMs} ms`, {
      hint: 'check that the domain is running (TCG, not KVM) and read the serial file',
    });
    this.serialTail = serialTail;
  }
}

export interface TestGuestPaths {
  dir: string;
  kernel: string;
  initrd: string;
}

/** Where the built guest is; throws TestGuestMissingError (with the build command) when it is not built. */
export function testGuestPaths(): TestGuestPaths {
  const dir = process.env[TEST_GUEST_DIR_ENV] || DEFAULT_TEST_GUEST_DIR;
  const paths = { dir, kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img') };
  if (!existsSync(paths.kernel) || !existsSync(paths.initrd)) throw new TestGuestMissingError(dir);
  return paths;
}

/** Escapes text for XML element content and for attribute values in either quote style. */
export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;')
    .replace(/"/g, '&quot;');
}

export interface TestGuestDomainOptions {
  name: string;
  memoryMiB?: number;
  vcpus?: number;
  /**
   * A file that receives everything the guest writes on its serial port (for waitForReport).
   * The serial port stays a pty, so the console can still be opened both ways; the file is its log.
   * Without it: a plain pty serial port + console.
   */
  serialFile?: string;
  /** Adds phyllo.poweroff=1: the guest powers off right after its report. */
  poweroffAfterReport?: boolean;
  /** Raw XML appended inside <devices> (disks, controllers, ...); not escaped. */
  extraDevices?: string;
  /** An emulated TPM 2.0 (tpm-crb, swtpm); the guest reports tpm=tpm0. */
  tpm?: boolean;
  /** A virtio NIC on user-mode networking (no host network needed); the guest reports net=eth0. */
  userNetwork?: boolean;
  /**
   * Adds phyllo.share=TAG: the guest mounts the virtiofs share TAG and reports the first line of its
   * phyllo-share.txt (`share=`). The share itself comes from elsewhere (`phyllo vm share`, extraDevices).
   */
  shareTag?: string;
  /** Extra kernel command line words. */
  cmdline?: string;
  /** Paths of the kernel and initramfs; default testGuestPaths(). */
  paths?: Pick<TestGuestPaths, 'kernel' | 'initrd'>;
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${what} must be a positive integer`);
  return value;
}

function shareWord(tag: string | undefined): string {
  if (tag === undefined) return '';
  if (!/^[A-Za-z0-9._-]+$/.test(tag))
    throw new RangeError(`shareTag ${JSON.stringify(tag)} is not a share tag`);
  return `${SHARE_CMDLINE_PREFIX}${tag}`;
}

function serialXml(serialFile: string | undefined): string {
  const log = serialFile === undefined ? '' : `<log file='${escapeXml(serialFile)}' append='off'/>`;
  return [
    `    <serial type='pty'>${log}<target port='0'/></serial>`,
    `    <console type='pty'><target type='serial' port='0'/></console>`,
  ].join('\n');
}

/**
 * A TCG (`type='qemu'`), q35, direct-kernel-boot domain for the test guest, with virtio rng,
 * balloon and tablet input; it is destroyed when the guest powers off.
 */
export function testGuestDomainXml(opts: TestGuestDomainOptions): string {
  const paths = opts.paths ?? testGuestPaths();
  const memory = positiveInteger(opts.memoryMiB ?? DEFAULT_MEMORY_MIB, 'memoryMiB');
  const vcpus = positiveInteger(opts.vcpus ?? DEFAULT_VCPUS, 'vcpus');
  const cmdline = [
    'console=ttyS0',
    'quiet',
    opts.poweroffAfterReport ? POWEROFF_CMDLINE : '',
    shareWord(opts.shareTag),
    opts.cmdline ?? '',
  ]
    .filter((word) => word !== '')
    .join(' ');
  const devices = [
    serialXml(opts.serialFile),
    `    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>`,
    `    <memballoon model='virtio'/>`,
    `    <input type='tablet' bus='virtio'/>`,
    opts.userNetwork ? `    <interface type='user'><model type='virtio'/></interface>` : '',
    opts.tpm ? `    <tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>` : '',
    opts.extraDevices ?? '',
  ].filter((line) => line !== '');
  return `<domain type='qemu'>
  <name>${escapeXml(opts.name)}</name>
  <memory unit='MiB'>${memory}</memory>
  <vcpu>${vcpus}</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>${escapeXml(paths.kernel)}</kernel>
    <initrd>${escapeXml(paths.initrd)}</initrd>
    <cmdline>${escapeXml(cmdline)}</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
${devices.join('\n')}
  </devices>
</domain>
`;
}

/** What the guest saw, from its PHYLLO-GUEST line. Lists are empty when the guest wrote `none`. */
export interface GuestReport {
  /** Virtio device ids, sorted, one per device (see VIRTIO_DEVICE_ID). */
  virtio: number[];
  /** Whole block devices: vda, sda, sr0 ... */
  blk: string[];
  /** 'tpm0' or null. */
  tpm: string | null;
  /** MemTotal from /proc/meminfo (a little less than the domain's memory). */
  memKiB: number;
  cpus: number;
  /** Network interfaces except lo. */
  net: string[];
  /** uname -r */
  kernel: string;
  /**
   * The first line of phyllo-share.txt in the share phyllo.share=TAG named (characters other than
   * printable non-space ASCII read as `_`); SHARE_ERROR when it did not mount or the line is missing
   * or empty; null without phyllo.share= (`share=none`).
   */
  share: string | null;
}

type ReportKey = 'virtio' | 'blk' | 'tpm' | 'mem_kib' | 'cpus' | 'net' | 'kernel' | 'share';
const NONE = 'none';

function list(value: string): string[] {
  return value === NONE || value === '' ? [] : value.split(',');
}

function count(value: string, key: ReportKey): number {
  if (!/^\d+$/.test(value)) throw new GuestReportParseError(`${key}=${value} is not a whole number`);
  return Number(value);
}

/** Parses the guest's report; the line may carry other text before the marker (kernel output, \r). */
export function parseGuestReport(line: string): GuestReport {
  const at = line.indexOf(`${REPORT_MARKER} `);
  if (at < 0) throw new GuestReportParseError(`no "${REPORT_MARKER} " marker`);
  const fields = new Map<string, string>();
  for (const token of line
    .slice(at + REPORT_MARKER.length)
    .trim()
    .split(/\s+/)) {
    const eq = token.indexOf('=');
    if (eq > 0) fields.set(token.slice(0, eq), token.slice(eq + 1));
  }
  const get = (key: ReportKey): string => {
    const value = fields.get(key);
    if (value === undefined)
      throw new GuestReportParseError(
        `the field ${key}= is missing${key === 'share' ? ' (this test guest was built before it reported share=: bash scripts/build-test-guest.sh rebuilds it)' : ''}`,
      );
    return value;
  };
  const tpm = get('tpm');
  const share = get('share');
  return {
    virtio: list(get('virtio')).map((id) => count(id, 'virtio')),
    blk: list(get('blk')),
    tpm: tpm === NONE ? null : tpm,
    memKiB: count(get('mem_kib'), 'mem_kib'),
    cpus: count(get('cpus'), 'cpus'),
    net: list(get('net')),
    kernel: get('kernel'),
    share: share === NONE ? null : share,
  };
}

/** The report in a serial log, or null when the guest has not written it (completely) yet. */
export function findGuestReport(serialText: string): GuestReport | null {
  const lines = serialText.split('\n');
  // The last piece has no newline yet: it may be a report still being written.
  for (const line of lines.slice(0, -1)) {
    if (line.includes(`${REPORT_MARKER} `)) return parseGuestReport(line);
  }
  return null;
}

export interface WaitForReportOptions {
  /** Give up after this long (a failure, not a speed assertion). Default 120 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Polls the serial file until the guest's report line is complete, and parses it. */
export async function waitForReport(
  serialFile: string,
  opts: WaitForReportOptions = {},
): Promise<GuestReport> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_REPORT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      text = await readFile(serialFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const report = findGuestReport(text);
    if (report) return report;
    if (Date.now() >= deadline) {
      throw new GuestReportTimeoutError(serialFile, timeoutMs, text.slice(-TAIL_CHARS_IN_ERRORS));
    }
    await sleep(REPORT_POLL_INTERVAL_MS, undefined, opts.signal ? { signal: opts.signal } : undefined);
  }
}

/**
 * `phyllo vm create NAME …` arguments for a small VM that boots the test guest's kernel: the linux
 * profile at its 1 GiB minimum, no disk and no display unless `opts` give them.
 */
export function testGuestCreateArgs(
  name: string,
  opts: { diskSize?: string; display?: string; vcpus?: number } = {},
): string[] {
  const g = testGuestPaths();
  return [
    'vm',
    'create',
    name,
    '--os',
    'linux',
    '--memory',
    '1G',
    ...(opts.vcpus ? ['--vcpus', String(opts.vcpus)] : []),
    '--disk-size',
    opts.diskSize ?? 'none',
    '--display',
    opts.display ?? 'none',
    '--kernel',
    g.kernel,
    '--initrd',
    g.initrd,
    '--cmdline',
    'console=ttyS0 quiet',
  ];
}
