import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Libvirt } from '../libvirt/index.js';
import { RemoteJournal, journalDir, sweepRemoteRuns } from './remote-journal.js';

const root = mkdtempSync(join(tmpdir(), 'phyllo-journal-'));
after(() => rmSync(root, { recursive: true, force: true }));

/**
 * A stand-in for a host's libvirt with what the sweep asks (its UUID, its domains' XML); a local URI,
 * so the state copier removes files in this test's directory. The real daemon's part is in
 * test/bundle/remote-bundle.test.ts.
 */
function host(uuid: string, domainXmls: string[] = []): Libvirt {
  return {
    requestedUri: 'qemu:///system',
    capabilities: async () => `<capabilities><host><uuid>${uuid}</uuid></host></capabilities>`,
    domains: { list: async () => domainXmls.map((x) => ({ xml: async () => x })) },
  } as unknown as Libvirt;
}

const records = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json'));
/** A PID no process has now (a child that has exited). */
const deadPid = () => spawnSync('true').pid!;

test('journalDir: XDG_STATE_HOME when absolute, else ~/.local/state', () => {
  assert.equal(journalDir({ XDG_STATE_HOME: '/s' }), '/s/phyllome/remote-runs');
  assert.match(journalDir({ XDG_STATE_HOME: 'rel' }), /\/\.local\/state\/phyllome\/remote-runs$/);
});

test('a run that ends cleanly leaves no record; one that gives up is swept even while its process lives', async () => {
  const dir = join(root, 'a');
  const file = join(root, 'a-state');
  writeFileSync(file, 'x');
  const lv = host('h1');
  const ok = await RemoteJournal.begin(lv, dir);
  await ok.add({ kind: 'file', path: file });
  await ok.end();
  assert.deepEqual(records(dir), []);

  const gaveUp = await RemoteJournal.begin(lv, dir);
  await gaveUp.add({ kind: 'file', path: file });
  await gaveUp.add({ kind: 'file', path: join(root, 'never-made') });
  assert.deepEqual(await sweepRemoteRuns(lv, dir), [], 'a live run that did not give up is left alone');
  assert.ok(existsSync(file));
  await gaveUp.abandon();
  assert.deepEqual(await sweepRemoteRuns(lv, dir), [`file ${file}`], 'only what is there is reported');
  assert.ok(!existsSync(file));
  assert.deepEqual(records(dir), []);
});

test('the sweep of a dead run: only on its own host, never what a VM there names, never what was dropped', async () => {
  const dir = join(root, 'b');
  mkdirSync(dir);
  const used = join(root, 'b-used.raw');
  const free = join(root, 'b-free');
  const dropped = join(root, 'b-dropped');
  for (const f of [used, free, dropped]) writeFileSync(f, 'x');
  const tpm = join(root, '0b4d6a1e-2f6c-4d8e-9b1a-3c5e7f9a1b2c');
  mkdirSync(join(tpm, 'tpm2'), { recursive: true });
  const j = await RemoteJournal.begin(host('h2'), dir);
  for (const path of [used, free, dropped, tpm]) await j.add({ kind: 'file', path });
  await j.drop({ kind: 'file', path: dropped });
  // The record as a killed process leaves it: its PID gone.
  const [name] = records(dir);
  const file = join(dir, name!);
  const rec = JSON.parse(await import('node:fs/promises').then((f) => f.readFile(file, 'utf8')));
  writeFileSync(file, JSON.stringify({ ...rec, pid: deadPid() }));

  assert.deepEqual(
    await sweepRemoteRuns(host('other'), dir),
    [],
    "another host's records are not its to sweep",
  );
  assert.equal(records(dir).length, 1);
  const vms = [`<domain><uuid>${tpm.split('/').pop()}</uuid><disk><source file='${used}'/></disk></domain>`];
  assert.deepEqual(await sweepRemoteRuns(host('h2', vms), dir), [`file ${free}`]);
  assert.ok(existsSync(used), 'a disk a VM there uses stays');
  assert.ok(existsSync(tpm), 'the TPM state of a VM there stays');
  assert.ok(existsSync(dropped), 'what the run found there already stays');
  assert.deepEqual(records(dir), [], 'the record is gone once swept');
});
