import type { Duplex } from 'node:stream';
import { classifyBootOutput, makeAttempt } from '../host/boot-output.js';
import { GUEST_MEMORY_MIB, KERNEL_CMDLINE, MAX_OUTPUT } from '../host/qemu-boot.js';
import type { BootAccel, BootAttempt } from '../host/system.js';
import {
  ConnectionClosedError,
  ConsoleFlags,
  CreateFlags,
  type Domain,
  type Libvirt,
} from '../libvirt/index.js';
import { escapeXml } from '../xml/serialize.js';

/** Where the guest's kernel and initramfs are on the host that boots it. */
export interface HostGuestPaths {
  kernel: string;
  initrd: string;
}

/**
 * The boot test's transient domain: the same guest, memory, CPU model and kernel command line as the
 * local test's QEMU command, with direct kernel boot, SeaBIOS on the serial console (so "the firmware
 * ran" is visible, like `-nographic`), one pty serial console and no disk, network or display.
 */
export function bootTestDomainXml(name: string, accel: BootAccel, paths: HostGuestPaths): string {
  return `<domain type='${accel === 'kvm' ? 'kvm' : 'qemu'}'>
  <name>${escapeXml(name)}</name>
  <memory unit='MiB'>${GUEST_MEMORY_MIB}</memory>
  <vcpu>1</vcpu>
  <cpu mode='maximum' check='none'/>
  <os>
    <type arch='x86_64'>hvm</type>
    <kernel>${escapeXml(paths.kernel)}</kernel>
    <initrd>${escapeXml(paths.initrd)}</initrd>
    <cmdline>${escapeXml(KERNEL_CMDLINE)}</cmdline>
    <bios useserial='yes'/>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <controller type='usb' model='none'/>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <memballoon model='none'/>
  </devices>
</domain>`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Reads the console until the guest's init shows, the console closes, or the deadline passes (`done`
 * resolves with a note on how it ended early). A lost connection rejects: it says nothing about KVM.
 */
function watchConsole(
  console: Duplex,
  deadlineMs: number,
): { output: () => string; done: Promise<string | undefined>; start: () => void; timedOut: () => boolean } {
  let output = '';
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  let settle: (note?: string) => void = () => undefined;
  let lost: (err: Error) => void = () => undefined;
  const done = new Promise<string | undefined>((resolve, reject) => {
    settle = (note) => {
      clearTimeout(timer);
      resolve(note);
    };
    lost = (err) => {
      clearTimeout(timer);
      reject(err);
    };
  });
  // Observed here too, so a loss while nobody awaits `done` yet is not an unhandled rejection.
  done.catch(() => undefined);
  console.on('data', (chunk: Buffer) => {
    if (output.length < MAX_OUTPUT) output += chunk.toString('latin1');
    if (classifyBootOutput(output) === 'init') settle();
  });
  console.on('end', () => settle('the guest stopped'));
  console.on('error', (err) =>
    err instanceof ConnectionClosedError ? lost(err) : settle(`the console failed: ${message(err)}`),
  );
  return {
    output: () => output,
    done,
    timedOut: () => timedOut,
    start: () => {
      timer = setTimeout(() => {
        timedOut = true;
        settle();
      }, deadlineMs);
    },
  };
}

/**
 * Boots the test guest once as a transient domain on `lv`'s host and judges its console output like
 * the local test judges QEMU's (boot-output.ts). The domain starts paused, so its console is open
 * before the first byte; it is auto-destroyed by libvirt if this connection drops, and destroyed here
 * once the guest's init printed, the console closed or the deadline passed. A lost connection is
 * thrown (ConnectionClosedError), never judged as a failed boot.
 */
export async function bootOnHost(
  lv: Libvirt,
  name: string,
  accel: BootAccel,
  paths: HostGuestPaths,
  deadlineMs: number,
): Promise<BootAttempt> {
  const created = Date.now();
  const failed = (err: unknown, what: string, output = '') => {
    if (err instanceof ConnectionClosedError) throw err;
    return makeAttempt(
      accel,
      output,
      Date.now() - created,
      deadlineMs,
      `libvirt could not ${what} it: ${message(err)}`,
    );
  };
  let dom: Domain;
  try {
    dom = await lv.domains.create(
      bootTestDomainXml(name, accel, paths),
      CreateFlags.PAUSED | CreateFlags.AUTODESTROY,
    );
  } catch (err) {
    return failed(err, 'start');
  }
  let console: Duplex | undefined;
  let watch: ReturnType<typeof watchConsole> | undefined;
  try {
    console = await dom.openConsole(null, ConsoleFlags.FORCE);
    watch = watchConsole(console, deadlineMs);
    await dom.resume();
    const started = Date.now();
    watch.start();
    const note = await watch.done;
    // The timer's clock is not Date.now(): a boot ended by the deadline counts as the whole deadline,
    // so that it is judged hung, never "stopped early" by a millisecond of rounding.
    const elapsed = Date.now() - started;
    return makeAttempt(
      accel,
      watch.output(),
      watch.timedOut() ? Math.max(elapsed, deadlineMs) : elapsed,
      deadlineMs,
      note,
    );
  } catch (err) {
    return failed(err, 'run', watch?.output());
  } finally {
    console?.destroy();
    // Gone already when the guest powered off (on_poweroff destroy).
    await dom.destroy().catch(() => undefined);
  }
}
