// Ctrl-C on a command running a job: a real process copying a real disk through libvirt (the disk copy
// job) gets SIGINT during the copy; it cancels the job, the job's undo list removes the half-made copy,
// and the process exits non-zero with the `cancelled` error.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { uniqueName, virsh } from '../libvirt/helpers.js';

const SCRIPT = fileURLToPath(new URL('../support/copy-job-cli.js', import.meta.url));
const DIR = '/var/lib/libvirt/images';
const source = `${uniqueName('sigint-src')}.raw`;
const target = `${uniqueName('sigint-dst')}.raw`;

before(async () => {
  // 1 GiB of written (allocated) zeros: data to stream, not holes, so the copy takes a while.
  execFileSync('dd', ['if=/dev/zero', `of=${join(DIR, source)}`, 'bs=4M', 'count=256', 'status=none']);
  await virsh('pool-refresh', 'default');
});
after(async () => {
  rmSync(join(DIR, source), { force: true });
  rmSync(join(DIR, target), { force: true });
  await virsh('pool-refresh', 'default').catch(() => undefined);
});

test('SIGINT during a disk copy: the job is cancelled, the partial copy removed, exit 1 with `cancelled`', async () => {
  const child = spawn(process.execPath, [SCRIPT, 'qemu:///system', join(DIR, source), 'default', target], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  let signalled = false;
  child.stdout.on('data', (b: Buffer) => (stdout += String(b)));
  child.stderr.on('data', (b: Buffer) => {
    stderr += String(b);
    // The first progress line of the copy phase: the copy is under way and the target exists.
    if (!signalled && /^copying: /m.test(stderr)) {
      signalled = true;
      assert.ok(existsSync(join(DIR, target)), 'the copy was being written');
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGINT'), 20);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.ok(signalled, `the copy reported progress before it ended: ${stderr}`);
  assert.equal(stdout, '', 'it did not finish the copy');
  assert.equal(code, 1, stderr);
  assert.match(stderr, /Cancelling the disk copy/);
  assert.match(stderr, /error: The disk copy was cancelled/);
  assert.equal(existsSync(join(DIR, target)), false, 'the undo list removed the partial copy');
  await virsh('pool-refresh', 'default');
  await assert.rejects(virsh('vol-info', '--pool', 'default', target), 'no volume is left in the pool');
});
