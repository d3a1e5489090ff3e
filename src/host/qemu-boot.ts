import { makeAttempt, classifyBootOutput } from './boot-output.js';
import type { GuestImage } from './guest-image.js';
import type { BootAccel, BootAttempt } from './system.js';

export const QEMU_X86 = 'qemu-system-x86_64';
/** Enough for the tiny guest; small so the test is cheap. */
export const GUEST_MEMORY_MIB = 128;
/** A named CPU model: `-cpu host` aborts QEMU on some nested hosts before the guest runs at all. */
const GUEST_CPU = 'max';
export const KERNEL_CMDLINE = 'console=ttyS0 phyllo.poweroff=1 panic=-1';
/** The most console output a boot attempt keeps. */
export const MAX_OUTPUT = 64 * 1024;

/** The QEMU arguments of one boot attempt. */
export function qemuBootArgs(accel: BootAccel, image: GuestImage): string[] {
  return [
    '-accel',
    accel,
    '-cpu',
    GUEST_CPU,
    '-m',
    String(GUEST_MEMORY_MIB),
    // -nographic makes SeaBIOS print on the serial console too, so "firmware ran" is visible.
    '-nographic',
    '-nodefaults',
    '-serial',
    'stdio',
    '-no-reboot',
    '-kernel',
    image.kernel,
    '-initrd',
    image.initrd,
    '-append',
    KERNEL_CMDLINE,
  ];
}

/**
 * Boots the guest once and watches its serial console until the guest's init prints its marker
 * (then stops it) or the deadline passes (then kills it).
 */
export function bootOnce(
  qemu: string,
  accel: BootAccel,
  image: GuestImage,
  deadlineMs: number,
): Promise<BootAttempt> {
  return new Promise((resolve) => {
    const started = Date.now();
    let output = '';
    let settled = false;
    const child = process
      .getBuiltinModule('node:child_process')
      .spawn(qemu, qemuBootArgs(accel, image), { stdio: ['ignore', 'pipe', 'pipe'] });
    const finish = (note?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      resolve(makeAttempt(accel, output, Date.now() - started, deadlineMs, note));
    };
    const onData = (chunk: Buffer) => {
      if (output.length < MAX_OUTPUT) output += chunk.toString('latin1');
      if (classifyBootOutput(output) === 'init') finish();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => finish(`QEMU could not start: ${err.message}`));
    child.on('close', (code, signal) => {
      const tail = output.split('\n').find((l) => l.startsWith('qemu-system'));
      finish(
        signal
          ? `QEMU stopped by ${signal}`
          : `QEMU exited with code ${code}${tail ? `: ${tail.trim()}` : ''}`,
      );
    });
    const timer = setTimeout(() => finish(), deadlineMs);
  });
}
