import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bootTime, localUptimeSeconds } from './qemu-uptime.js';

const root = mkdtempSync(join(tmpdir(), 'phyllo-uptime-'));
after(() => rmSync(root, { recursive: true, force: true }));

function put(path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

const BTIME = 1_700_000_000;
put('proc/stat', `cpu  1 2 3\nbtime ${BTIME}\nprocesses 9\n`);
// starttime (field 22) = 12345 ticks = 123.45 s after boot; the comm has a space and a parenthesis.
const statLine = (comm: string) =>
  `4242 (${comm}) S 1 4242 4242 0 -1 4194560 1 0 0 0 5 6 0 0 20 0 3 0 12345 100000 50 18446744073709551615\n`;
put('proc/4242/stat', statLine('qemu-system-x86'));
put('proc/4343/stat', statLine('bash (x)'));
put('run/libvirt/qemu/web.pid', '4242\n');
put('run/libvirt/qemu/stale.pid', '4343');
put('run/libvirt/qemu/garbled.pid', 'not a pid');

describe('uptime of a local VM', () => {
  const dirs = { root, pidDirs: ['run/libvirt/qemu'] };
  it('is the age of its QEMU process: boot time plus the process’s start ticks', async () => {
    const btime = await bootTime(root);
    assert.equal(btime, BTIME);
    const now = (BTIME + 123.45 + 60) * 1000;
    assert.equal(await localUptimeSeconds('web', now, btime, dirs), 60);
  });
  it('is unknown (undefined) when the pid is not QEMU, the pid file is missing or garbled, or btime is unknown', async () => {
    const now = (BTIME + 1000) * 1000;
    assert.equal(await localUptimeSeconds('stale', now, BTIME, dirs), undefined);
    assert.equal(await localUptimeSeconds('absent', now, BTIME, dirs), undefined);
    assert.equal(await localUptimeSeconds('garbled', now, BTIME, dirs), undefined);
    assert.equal(await localUptimeSeconds('web', now, undefined, dirs), undefined);
  });
});
