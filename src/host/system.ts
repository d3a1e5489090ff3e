import type { Fact } from './fact.js';

/** What identifies a device node: if any of these change, a cached boot-test result is stale. */
export interface DeviceIdentity {
  dev: number;
  ino: number;
  rdev: number;
}

export interface CommandOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface DiskSpace {
  /** The directory that was measured (the nearest existing parent of the one asked for). */
  path: string;
  freeBytes: number;
  totalBytes: number;
}

export type BootAccel = 'kvm' | 'tcg';

/** How far a test guest got before the deadline, from what it printed on its serial console. */
export type BootStage = 'nothing' | 'firmware' | 'kernel' | 'init';

export interface BootAttempt {
  accel: BootAccel;
  stage: BootStage;
  /** True when the guest's init printed its marker line (or the kernel proved it ran 64-bit code to init). */
  booted: boolean;
  elapsedMs: number;
  deadlineMs: number;
  /** Plain words: "SeaBIOS printed, then nothing: the kernel never started within 8 s". */
  seen: string;
  /** The last line the guest printed, for the detail. */
  lastLine?: string;
}

export type BootTestOutcome = 'booted' | 'hung' | 'failed' | 'not-run';

export interface BootTestResult {
  outcome: BootTestOutcome;
  /** Why the test could not run (no guest kernel, no QEMU, no /dev/kvm) when outcome is `not-run`. */
  reason?: string;
  /** Which guest was booted: `test-guest /var/cache/phyllome/test-guest/vmlinuz` or the host kernel. */
  guest?: string;
  kvm?: BootAttempt;
  /** The same guest under TCG, run when KVM fails, to tell "KVM broken" from "test guest broken". */
  control?: BootAttempt;
}

export interface BootTestOptions {
  deadlineMs: number;
  /** Run the TCG control boot when KVM does not boot. */
  control: boolean;
  onProgress?: (message: string) => void;
}

/**
 * Everything a probe needs that cannot be read from files. Paths are absolute host paths
 * (`/dev/kvm`); an implementation may place them below its own root. The live host uses
 * `LocalSystem`; tests use `FixtureSystem` with scripted answers.
 */
export interface HostSystem {
  /** Can the file be opened read-write (device nodes such as /dev/kvm)? */
  canOpen(path: string): Promise<Fact<true>>;
  /** dev/ino/rdev of a path. */
  identity(path: string): Promise<Fact<DeviceIdentity>>;
  /** The absolute path of an installed program, or an unknown fact when it is not on PATH. */
  which(bin: string): Promise<Fact<string>>;
  /** Runs a program with arguments (no shell) and a deadline. */
  run(bin: string, args: string[], timeoutMs: number): Promise<Fact<CommandOutput>>;
  /** Free and total space of the file system holding `path` (or its nearest existing parent). */
  statfs(path: string): Promise<Fact<DiskSpace>>;
  /** Can a Unix socket be connected to? */
  connect(socketPath: string): Promise<Fact<true>>;
  /** Boots a tiny 64-bit Linux guest under KVM with a deadline (and under TCG as a control). */
  runKvmBootTest(options: BootTestOptions): Promise<BootTestResult>;
}
