import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { known, unknown, type Fact } from './fact.js';
import type {
  BootTestOptions,
  BootTestResult,
  CommandOutput,
  DeviceIdentity,
  DiskSpace,
  HostSystem,
} from './system.js';

/** The file in a fixture tree that scripts the answers of a FixtureSystem. */
export const FIXTURE_SYSTEM_FILE = 'phyllome-host.json';

/** Scripted answers for everything a fixture tree cannot hold (device nodes, programs, sockets). */
export interface FixtureSystemSpec {
  /** Paths that can be opened (`/dev/kvm`). Anything else cannot. */
  openable?: string[];
  identities?: Record<string, DeviceIdentity>;
  /** Installed programs: name → absolute path. */
  binaries?: Record<string, string>;
  /** Output of commands, keyed by `bin arg1 arg2`. */
  commands?: Record<string, CommandOutput>;
  /** Free space by directory; the longest matching prefix answers. */
  disks?: Record<string, { freeBytes: number; totalBytes: number }>;
  /** Unix sockets that accept connections. */
  sockets?: string[];
  bootTest?: BootTestResult;
}

/** A HostSystem answering from a spec, for fixture trees and unit tests. Counts boot tests run. */
export class FixtureSystem implements HostSystem {
  bootTestsRun = 0;

  constructor(readonly spec: FixtureSystemSpec) {}

  /** Loads `phyllome-host.json` from a fixture root, or undefined when there is none. */
  static fromRoot(root: string): FixtureSystem | undefined {
    let text: string;
    try {
      text = readFileSync(join(root, FIXTURE_SYSTEM_FILE), 'utf8');
    } catch {
      return undefined;
    }
    return new FixtureSystem(JSON.parse(text) as FixtureSystemSpec);
  }

  async canOpen(path: string): Promise<Fact<true>> {
    return this.spec.openable?.includes(path) ? known(true) : unknown(`${path}: cannot be opened (fixture)`);
  }

  async identity(path: string): Promise<Fact<DeviceIdentity>> {
    const id = this.spec.identities?.[path];
    return id ? known(id) : unknown(`${path}: missing`);
  }

  async which(bin: string): Promise<Fact<string>> {
    const p = this.spec.binaries?.[bin];
    return p ? known(p) : unknown(`${bin}: not installed`);
  }

  async run(bin: string, args: string[]): Promise<Fact<CommandOutput>> {
    const out = this.spec.commands?.[[bin, ...args].join(' ')];
    return out ? known(out) : unknown(`${bin}: not installed`);
  }

  async statfs(path: string): Promise<Fact<DiskSpace>> {
    const keys = Object.keys(this.spec.disks ?? {})
      .filter((k) => path === k || path.startsWith(k.endsWith('/') ? k : k + '/'))
      .sort((a, b) => b.length - a.length);
    const k = keys[0];
    const d = k === undefined ? undefined : this.spec.disks?.[k];
    return k !== undefined && d ? known({ path: k, ...d }) : unknown(`${path}: no file system (fixture)`);
  }

  async connect(socketPath: string): Promise<Fact<true>> {
    return this.spec.sockets?.includes(socketPath)
      ? known(true)
      : unknown(`${socketPath}: connection refused (fixture)`);
  }

  async runKvmBootTest(_options: BootTestOptions): Promise<BootTestResult> {
    this.bootTestsRun++;
    return this.spec.bootTest ?? { outcome: 'not-run', reason: 'no boot test scripted in the fixture' };
  }
}
