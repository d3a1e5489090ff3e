// Ctrl-C on a command running a job: a real process copying a real disk through libvirt (the disk copy
// job) gets SIGINT during the copy; it cancels the job, the job's undo list removes the half-made copy,
// and the process exits non-zero with the `cancelled` error.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { uniqueName, virsh } from '../libvirt/helpers.js';

const SCRIPT = fileURLToPath(new URL('../support/copy-job-cli.js', import.meta.url));
// A pool of its own (transient, in a folder of its own): the shared default pool may be busy with other
// jobs, which libvirt refuses to refresh under.
const POOL = uniqueName('sigint-pool');
const DIR = mkdtempSync('/var/tmp/phyllo-sigint-');
const source = `${uniqueName('sigint-src')}.raw`;
const target = `${uniqueName('sigint-dst')}.raw`;

before(async () => {
  // 1 GiB of written (allocated) zeros: data to stream, not holes, so the copy takes a while.
  execFileSync('dd', ['if=/dev/zero', `of=${join(DIR, source)}`, 'bs=4M', 'count=256', 'status=none']);
  await virsh('pool-create-as', POOL, 'dir', '--target', DIR);
});
after(async () => {
  await virsh('pool-destroy', POOL).catch(() => undefined);
  rmSync(DIR, { recursive: true, force: true });
});

test('SIGINT during a disk copy: the job is cancelled, the partial copy removed, exit 1 with `cancelled`', async () => {
  const child = spawn(process.execPath, [SCRIPT, 'qemu:///system', join(DIR, source), POOL, target], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  let signalled = false;
  child.stdout.on('data', (b: Buffer) => (stdout += String(b)));
  child.stderr.on('data', (b: Buffer) => {
    stderr += String(b);
    // A progress line past 0 %: data is moving, so the target volume exists.
    if (!signalled && /^copying: [1-9]\d*% /m.test(stderr)) {
      signalled = true;
      assert.ok(existsSync(join(DIR, target)), 'the copy was being written');
      // One Ctrl-C: a second one may land after the cleanup, when the default action ends the process
      // (the "still cleaning up" answer to a second one is a unit test with a fake signal source).
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.ok(signalled, `the copy reported progress before it ended: ${stderr}`);
  assert.equal(stdout, '', 'it did not finish the copy');
  assert.equal(code, 1, stderr);
  assert.match(stderr, /Cancelling the disk copy/);
  assert.match(stderr, /error: The disk copy was cancelled/);
  assert.equal(existsSync(join(DIR, target)), false, 'the undo list removed the partial copy');
  await virsh('pool-refresh', POOL);
  await assert.rejects(virsh('vol-info', '--pool', POOL, target), 'no volume is left in the pool');
});
