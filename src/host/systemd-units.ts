import { execFile } from 'node:child_process';
import type { RootFs } from './root-fs.js';

/**
 * The running service units when systemd is the service manager of the live host (it has
 * /run/systemd/system); undefined otherwise: a fixture root, or a machine where systemd is installed
 * but not PID 1 (then `systemctl` cannot answer).
 */
export function systemdRunningUnits(fs: RootFs): () => Promise<string[] | undefined> {
  return async () => {
    if (fs.root !== '/' || !fs.exists('run/systemd/system')) return undefined;
    const out = await new Promise<string | undefined>((resolve) =>
      execFile(
        'systemctl',
        ['list-units', '--type=service', '--state=running', '--no-legend', '--plain', '--no-pager'],
        { timeout: 10_000 },
        (err, stdout) => resolve(err ? undefined : stdout),
      ),
    );
    return out
      ?.split('\n')
      .map((l) => l.trim().split(/\s+/)[0] ?? '')
      .filter((u) => u.endsWith('.service'));
  };
}

/** Logical CPUs from /proc/cpuinfo's `processor` lines (0 when unreadable). */
export function cpuCount(fs: RootFs): number {
  const info = fs.text('proc/cpuinfo');
  return info.known ? (info.value.match(/^processor\s*:/gm) ?? []).length : 0;
}
