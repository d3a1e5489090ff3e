import { constants, accessSync, closeSync, openSync, statSync, statfsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { describeError, known, unknown, type Fact } from './fact.js';
import { phyllomeCacheDir } from './cache-dir.js';
import { attemptOutcome } from './boot-output.js';
import { findGuestImage } from './guest-image.js';
import { bootOnce, QEMU_X86 } from './qemu-boot.js';
import type {
  BootTestOptions,
  BootTestResult,
  CommandOutput,
  DeviceIdentity,
  DiskSpace,
  HostSystem,
} from './system.js';

const CONNECT_TIMEOUT_MS = 2000;
/** TCG is 10-50× slower than KVM: give the control boot more time. */
export const CONTROL_DEADLINE_FACTOR = 3;

/** The live host (or a copy of one below `root`): opens device nodes, runs programs, boots guests. */
export class LocalSystem implements HostSystem {
  constructor(
    readonly root = '/',
    readonly cacheDir = phyllomeCacheDir(),
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private at(path: string): string {
    return this.root === '/' ? path : join(this.root, path);
  }

  async canOpen(path: string): Promise<Fact<true>> {
    try {
      closeSync(openSync(this.at(path), constants.O_RDWR | constants.O_NONBLOCK));
      return known(true);
    } catch (err) {
      return unknown(`${path}: ${describeError(err)}`);
    }
  }

  async identity(path: string): Promise<Fact<DeviceIdentity>> {
    try {
      const s = statSync(this.at(path));
      return known({ dev: s.dev, ino: s.ino, rdev: s.rdev });
    } catch (err) {
      return unknown(`${path}: ${describeError(err)}`);
    }
  }

  async which(bin: string): Promise<Fact<string>> {
    for (const dir of (this.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
      if (!dir) continue;
      const p = join(dir, bin);
      try {
        accessSync(p, constants.X_OK);
        return known(p);
      } catch {
        // keep looking
      }
    }
    return unknown(`${bin}: not installed (not on PATH)`);
  }

  /** Results of `run`, so `qemu-system-x86_64 --version` runs once per process however many probes ask. */
  private readonly runs = new Map<string, Promise<Fact<CommandOutput>>>();

  run(bin: string, args: string[], timeoutMs: number): Promise<Fact<CommandOutput>> {
    const key = JSON.stringify([bin, ...args]);
    let p = this.runs.get(key);
    if (!p) {
      p = this.runOnce(bin, args, timeoutMs);
      this.runs.set(key, p);
    }
    return p;
  }

  private runOnce(bin: string, args: string[], timeoutMs: number): Promise<Fact<CommandOutput>> {
    return new Promise((resolve) => {
      process
        .getBuiltinModule('node:child_process')
        .execFile(bin, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
          if (err && typeof err.code === 'string') resolve(unknown(`${bin}: ${describeError(err)}`));
          else resolve(known({ code, stdout, stderr }));
        });
    });
  }

  async statfs(path: string): Promise<Fact<DiskSpace>> {
    let p = this.at(path);
    for (;;) {
      try {
        const s = statfsSync(p);
        return known({ path: p, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize });
      } catch (err) {
        const parent = dirname(p);
        if (parent === p) return unknown(`${path}: ${describeError(err)}`);
        p = parent;
      }
    }
  }

  async connect(socketPath: string): Promise<Fact<true>> {
    return new Promise((resolve) => {
      const sock = createConnection(this.at(socketPath));
      const done = (f: Fact<true>) => {
        clearTimeout(timer);
        sock.destroy();
        resolve(f);
      };
      const timer = setTimeout(() => done(unknown(`${socketPath}: no answer`)), CONNECT_TIMEOUT_MS);
      sock.on('connect', () => done(known(true)));
      sock.on('error', (err) => done(unknown(`${socketPath}: ${describeError(err)}`)));
    });
  }

  async runKvmBootTest(options: BootTestOptions): Promise<BootTestResult> {
    const qemu = await this.which(QEMU_X86);
    if (!qemu.known) return { outcome: 'not-run', reason: `${QEMU_X86} is not installed` };
    const kvm = await this.canOpen('/dev/kvm');
    if (!kvm.known) return { outcome: 'not-run', reason: `/dev/kvm cannot be opened (${kvm.reason})` };
    const lookup = findGuestImage(this.root, this.cacheDir, this.env);
    if (!lookup.found) return { outcome: 'not-run', reason: lookup.reason };
    const { image } = lookup;
    options.onProgress?.(`booting a test guest under KVM (up to ${options.deadlineMs / 1000} s)`);
    const attempt = await bootOnce(qemu.value, 'kvm', image, options.deadlineMs);
    const outcome = attemptOutcome(attempt);
    if (outcome === 'booted') return { outcome, guest: image.label, kvm: attempt };
    if (!options.control) return { outcome, guest: image.label, kvm: attempt };
    const controlDeadline = options.deadlineMs * CONTROL_DEADLINE_FACTOR;
    options.onProgress?.(`booting the same guest under TCG as a control (up to ${controlDeadline / 1000} s)`);
    const control = await bootOnce(qemu.value, 'tcg', image, controlDeadline);
    return { outcome, guest: image.label, kvm: attempt, control };
  }
}
