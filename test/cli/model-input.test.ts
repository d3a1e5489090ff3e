/**
 * `os explain` and `vm create` check sizes, counts and names before anything happens: with a daemon
 * address nothing listens on, a bad value is still reported as the bad value, not as a connection error.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const NOWHERE = 'qemu+tcp://127.0.0.1:1/system';

function phyllo(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}

test('bad sizes, counts and names fail before libvirt is contacted', async () => {
  const cases: [string[], string, RegExp][] = [
    [['--memory', '4096B'], 'invalid-option', /^--memory must be at least 1 MiB; "4096B" is 4096 bytes$/],
    [
      ['--disk-size', '100K'],
      'invalid-option',
      /^--disk-size must be at least 1 MiB; "100K" is 102400 bytes$/,
    ],
    [['--memory', 'lots'], 'invalid-option', /^--memory must be a size, not "lots"$/],
    [['--disk-size', '0'], 'invalid-option', /^--disk-size must be at least 1 MiB/],
    [['--vcpus', '2.5'], 'invalid-option', /^--vcpus must be a whole number of at least 1, not "2\.5"$/],
    [['--vcpus', '0'], 'invalid-option', /^--vcpus must be a whole number/],
    [['--vcpus', 'abc'], 'invalid-option', /^--vcpus must be a whole number/],
  ];
  for (const [flags, code, message] of cases)
    for (const cmd of [
      ['vm', 'create', 'x', '--os', 'linux'],
      ['os', 'explain', 'linux'],
    ]) {
      const r = await phyllo([...cmd, ...flags, '--connect', NOWHERE, '--json']);
      assert.notEqual(r.code, 0);
      const out = JSON.parse(r.stdout) as { error: { code: string; message: string } };
      assert.equal(out.error.code, code, `${cmd.join(' ')} ${flags.join(' ')}: ${out.error.message}`);
      assert.match(out.error.message, message);
    }
  const r = await phyllo(['vm', 'create', 'bad name', '--os', 'linux', '--connect', NOWHERE, '--json']);
  assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'invalid-name');
});

test('good sizes get as far as the connection', async () => {
  const r = await phyllo([
    'os',
    'explain',
    'linux',
    '--memory',
    '1.5 GiB',
    '--disk-size',
    '500GB',
    '--vcpus',
    '2',
    '--connect',
    NOWHERE,
    '--json',
  ]);
  assert.notEqual(r.code, 0);
  const out = JSON.parse(r.stdout) as { error: { code: string } };
  assert.notEqual(out.error.code, 'invalid-option');
});
