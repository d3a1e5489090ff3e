/**
 * `phyllo serve --install-service`: the unit it writes passes `systemd-analyze verify` (installed here,
 * though systemd is not PID 1), keeps serve's options (paths made absolute, words with spaces quoted),
 * and refuses options serve would refuse at boot. A broken copy of the unit fails the same check.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { phyllo } from '../support/bin-phyllo.js';

const dir = mkdtempSync(join(tmpdir(), 'phyllo-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const verify = (file: string) =>
  new Promise<{ code: number; out: string }>((resolve) =>
    execFile('systemd-analyze', ['verify', file], (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }),
    ),
  );

test('the unit verifies, carries the options, and a broken copy does not verify', async () => {
  const images = join(dir, 'my images');
  mkdirSync(images);
  const unitDir = join(dir, 'units');
  const r = await phyllo(
    'serve',
    '--install-service',
    '--unit-dir',
    unitDir,
    '--connect',
    'qemu:///system',
    '--listen',
    '127.0.0.1:8123',
    '--allow-dir',
    images,
    '--json',
  );
  assert.equal(r.code, 0, r.stderr);
  const done = JSON.parse(r.stdout) as { path: string; enable: string[] };
  assert.equal(done.path, join(unitDir, 'phyllome.service'));
  assert.deepEqual(done.enable, ['systemctl daemon-reload', 'systemctl enable --now phyllome.service']);
  const unit = readFileSync(done.path, 'utf8');
  assert.match(
    unit,
    /^ExecStart=\/\S+\/bin\/phyllo serve --listen 127\.0\.0\.1:8123 --connect qemu:\/\/\/system --allow-dir "\/[^"]+\/my images"$/m,
  );
  assert.match(unit, /^WantedBy=multi-user\.target$/m);
  const ok = await verify(done.path);
  assert.equal(ok.code, 0, ok.out);
  assert.ok(!/phyllome\.service/.test(ok.out), `no complaint about the unit: ${ok.out}`);

  const broken = join(dir, 'broken', 'phyllome.service');
  mkdirSync(join(dir, 'broken'));
  writeFileSync(broken, unit.replace(/^ExecStart=\S+/m, 'ExecStart=bin/phyllo'));
  const bad = await verify(broken);
  assert.notEqual(bad.code, 0, 'a relative ExecStart is refused by the same check');
});

test('options serve would refuse at boot are refused now, and nothing is written', async () => {
  const unitDir = join(dir, 'refused');
  const r = await phyllo(
    'serve',
    '--install-service',
    '--unit-dir',
    unitDir,
    '--listen',
    '0.0.0.0:8006',
    '--json',
  );
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.stdout).error.code, 'tls-required');
  assert.throws(() => readFileSync(join(unitDir, 'phyllome.service')), { code: 'ENOENT' });
});
