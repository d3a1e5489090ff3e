import { GUEST_MARKER } from './boot-output.js';

/** One entry of a newc cpio archive. */
export interface CpioEntry {
  name: string;
  /** Full st_mode, file type bits included (0o100755 for an executable, 0o040755 for a directory). */
  mode: number;
  data?: Buffer;
  /** For device nodes: [major, minor]. */
  rdev?: [number, number];
}

const NEWC_MAGIC = '070701';
const ALIGN = 4;

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function pad(length: number): Buffer {
  return Buffer.alloc((ALIGN - (length % ALIGN)) % ALIGN);
}

/** Writes a newc ("SVR4 with no CRC") cpio archive, the format the Linux kernel unpacks as initramfs. */
export function writeCpio(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const all = [...entries, { name: 'TRAILER!!!', mode: 0 }];
  all.forEach((e, i) => {
    const data = 'data' in e && e.data ? e.data : Buffer.alloc(0);
    const [rdevMajor, rdevMinor] = 'rdev' in e && e.rdev ? e.rdev : [0, 0];
    const name = Buffer.from(e.name + '\0');
    const fields = [
      i + 1,
      e.mode,
      0,
      0,
      e.mode & 0o040000 ? 2 : 1,
      0,
      data.length,
      0,
      0,
      rdevMajor,
      rdevMinor,
    ];
    const header = NEWC_MAGIC + fields.map(hex8).join('') + hex8(name.length) + hex8(0);
    const head = Buffer.concat([Buffer.from(header, 'ascii'), name]);
    parts.push(head, pad(head.length), data, pad(data.length));
  });
  return Buffer.concat(parts);
}

/** The /init of the generated boot-test initramfs: print the marker line, power off. */
export const BOOT_TEST_INIT = [
  '#!/bin/busybox sh',
  '/bin/busybox mount -t proc proc /proc',
  `echo "${GUEST_MARKER}boot-test kernel=$(/bin/busybox uname -r) cpus=$(/bin/busybox nproc)"`,
  '/bin/busybox poweroff -f',
  '',
].join('\n');

/** A gzip initramfs holding a static busybox and the boot-test /init. */
export function bootTestInitramfs(busybox: Buffer): Buffer {
  const dir = 0o040755;
  const exe = 0o100755;
  const chr = 0o020600;
  return process.getBuiltinModule('node:zlib').gzipSync(
    writeCpio([
      { name: 'bin', mode: dir },
      { name: 'dev', mode: dir },
      { name: 'dev/console', mode: chr, rdev: [5, 1] },
      { name: 'proc', mode: dir },
      { name: 'sys', mode: dir },
      { name: 'bin/busybox', mode: exe, data: busybox },
      { name: 'init', mode: exe, data: Buffer.from(BOOT_TEST_INIT) },
    ]),
  );
}
