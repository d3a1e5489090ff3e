import type { BootAccel, BootAttempt, BootStage, BootTestOutcome } from './system.js';

/** The line the test guest's /init prints on its serial console once it runs. */
export const GUEST_MARKER = 'PHYLLO-GUEST ';

const STAGE_ORDER: BootStage[] = ['nothing', 'firmware', 'kernel', 'init'];

/** Kernel lines that prove the guest ran its 64-bit kernel up to starting init. */
const INIT_PROOF = /Run \S+ as init process/;
/** A printk timestamp or the banner: the decompressed 64-bit kernel is running. */
const KERNEL_PROOF = /(^|\n)\[\s*\d+\.\d{6}\]|Linux version \d/;
/** SeaBIOS, iPXE, or the kernel's real-mode setup code: still 16-bit code, proves nothing about KVM. */
const FIRMWARE_PROOF = /SeaBIOS|iPXE|Booting from ROM|Probing EDD|BdsDxe|UEFI/;

/** How far a guest got, from everything it printed so far. */
export function classifyBootOutput(output: string): BootStage {
  if (output.includes(GUEST_MARKER) || INIT_PROOF.test(output)) return 'init';
  if (KERNEL_PROOF.test(output)) return 'kernel';
  if (FIRMWARE_PROOF.test(output)) return 'firmware';
  return 'nothing';
}

export function laterStage(a: BootStage, b: BootStage): BootStage {
  return STAGE_ORDER.indexOf(a) >= STAGE_ORDER.indexOf(b) ? a : b;
}

/** The last printable line of the output (escape sequences and doubled setup characters removed). */
export function lastLine(output: string): string | undefined {
  const lines = output
    .replace(/\x1b(\[[0-9;?]*[A-Za-z]|c)/g, '') // eslint-disable-line no-control-regex
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('qemu-system'));
  return lines.pop();
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Plain words for what a boot attempt showed. */
export function describeStage(
  stage: BootStage,
  accel: BootAccel,
  elapsedMs: number,
  deadlineMs: number,
): string {
  const under = accel === 'kvm' ? 'under KVM' : 'under TCG (emulation)';
  switch (stage) {
    case 'init':
      return `the guest kernel booted to init ${under} in ${seconds(elapsedMs)}`;
    case 'kernel':
      return `the guest kernel started ${under} but did not reach init within ${seconds(deadlineMs)}`;
    case 'firmware':
      return `the firmware (SeaBIOS) printed ${under}, but the kernel never started within ${seconds(deadlineMs)}`;
    case 'nothing':
      return `nothing was printed ${under} within ${seconds(deadlineMs)}`;
  }
}

export function makeAttempt(
  accel: BootAccel,
  output: string,
  elapsedMs: number,
  deadlineMs: number,
  exitNote?: string,
): BootAttempt {
  const stage = classifyBootOutput(output);
  const booted = stage === 'init';
  let seen = describeStage(stage, accel, elapsedMs, deadlineMs);
  if (!booted && exitNote) seen += ` (${exitNote})`;
  const last = lastLine(output);
  return { accel, stage, booted, elapsedMs, deadlineMs, seen, ...(last ? { lastLine: last } : {}) };
}

/** What one attempt means for the test: booted, hung (ran out of time) or failed (stopped early). */
export function attemptOutcome(attempt: BootAttempt): Exclude<BootTestOutcome, 'not-run'> {
  if (attempt.booted) return 'booted';
  return attempt.elapsedMs >= attempt.deadlineMs ? 'hung' : 'failed';
}
