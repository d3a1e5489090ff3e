/**
 * A number no other test process on this machine holds, for the second host's subnet (10.99.N.0/24),
 * network namespace and veth names. Test files run in parallel processes; a number taken from the pid
 * alone could repeat, and two veth pairs on one subnet route this machine's packets to the wrong daemon.
 * A slot is a directory under /run (made atomically with mkdir) holding its owner's pid; a slot whose
 * owner is gone (a killed run) is taken over. A slot whose subnet is still routed here (a leftover
 * veth of a killed run) is passed over.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from '../../src/machines/process-alive.js';

const SLOTS = '/run/phyllo-test-host-slots';
const FIRST = 20;
const COUNT = 200;

function routed(n: number): boolean {
  const out = execFileSync('ip', ['-4', 'route', 'show', `10.99.${n}.0/24`], { encoding: 'utf8' });
  return out.trim() !== '';
}

function tryTake(dir: string): boolean {
  try {
    mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    } catch {
      return false; // being taken right now (made, its pid not yet written)
    }
    if (processAlive(owner)) return false;
    rmSync(dir, { recursive: true, force: true });
    return tryTake(dir);
  }
  writeFileSync(join(dir, 'pid'), String(process.pid));
  return true;
}

/** Takes a free slot; `release()` gives it back. */
export function takeHostSlot(): { n: number; release(): void } {
  mkdirSync(SLOTS, { recursive: true });
  const start = process.pid % COUNT;
  for (let i = 0; i < COUNT; i++) {
    const n = FIRST + ((start + i) % COUNT);
    const dir = join(SLOTS, String(n));
    if (!tryTake(dir)) continue;
    if (routed(n)) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    return { n, release: () => rmSync(dir, { recursive: true, force: true }) };
  }
  throw new Error(`no free second-host slot: all ${COUNT} under ${SLOTS} are held or routed`);
}
