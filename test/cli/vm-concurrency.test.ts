/**
 * 20 `bin/phyllo … --json` processes launched at once on 5 VMs (start, kill, shutdown --force, pause,
 * resume, snapshot create), on the real system daemon. Each one succeeds or fails with a typed
 * error the race explains; afterwards every VM is in a state some serial order of the commands that
 * ran leads to, its snapshots are exactly the ones that succeeded, its disk chain is whole, no file
 * is stray and no lock is left; deleting the five (with a kill and a snapshot racing each delete)
 * leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { connect, type DomainState, type Libvirt } from '../../src/libvirt/index.js';
import { deleteVm } from '../../src/machines/delete-vm.js';
import { NVRAM_DIR, snapshotRoot, tpmDir } from '../../src/machines/state-files.js';
import { uniqueName } from '../libvirt/helpers.js';
import { phyllo, type RunResult } from '../support/bin-phyllo.js';
import { testGuestCreateArgs } from '../support/test-guest.js';

const IMAGES = '/var/lib/libvirt/images';
const prefix = uniqueName('conc');
const names = [0, 1, 2, 3, 4].map((i) => `${prefix}-${i}`);
// The commands' locks go to a directory of this test's own (bin/phyllo inherits the environment).
const locks = mkdtempSync(join(tmpdir(), 'phyllo-conc-locks-'));
process.env.PHYLLO_LOCK_DIR = locks;
let lv: Libvirt;
const uuids: string[] = [];

type Op = 'start' | 'kill' | 'shutdown' | 'pause' | 'resume' | 'snapshot';
interface Cmd {
  vm: number;
  op: Op;
  snap?: string;
}

/** The power states each operation accepts and the one it leaves (the test's own model of them). */
const RULES: Record<Op, { from: DomainState[]; to?: DomainState }> = {
  start: { from: ['shutoff'], to: 'running' },
  kill: { from: ['running', 'paused'], to: 'shutoff' },
  shutdown: { from: ['running'], to: 'shutoff' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  snapshot: { from: ['shutoff'] },
};

const INITIAL: DomainState[] = ['shutoff', 'shutoff', 'running', 'running', 'paused'];
/** Four commands per VM, mixed so that orders matter (a start before a snapshot refuses the snapshot). */
const BATCH: Cmd[] = [
  { vm: 0, op: 'snapshot', snap: 'a' },
  { vm: 0, op: 'snapshot', snap: 'b' },
  { vm: 0, op: 'start' },
  { vm: 0, op: 'snapshot', snap: 'c' },
  { vm: 1, op: 'start' },
  { vm: 1, op: 'start' },
  { vm: 1, op: 'snapshot', snap: 'a' },
  { vm: 1, op: 'kill' },
  { vm: 2, op: 'kill' },
  { vm: 2, op: 'snapshot', snap: 'a' },
  { vm: 2, op: 'start' },
  { vm: 2, op: 'pause' },
  { vm: 3, op: 'shutdown' },
  { vm: 3, op: 'pause' },
  { vm: 3, op: 'resume' },
  { vm: 3, op: 'kill' },
  { vm: 4, op: 'resume' },
  { vm: 4, op: 'kill' },
  { vm: 4, op: 'snapshot', snap: 'a' },
  { vm: 4, op: 'resume' },
];

function args(c: Cmd): string[] {
  const name = names[c.vm]!;
  if (c.op === 'snapshot') return ['vm', 'snapshot', 'create', name, c.snap!, '--json'];
  if (c.op === 'shutdown') return ['vm', 'shutdown', name, '--timeout', '3', '--force', '--json'];
  return ['vm', c.op, name, '--json'];
}

/** Files of this test's VMs in a directory. */
const ours = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(prefix)) : [];

async function poolVolumes(): Promise<string[]> {
  const pool = await lv.pools.lookup('default');
  await pool.refresh();
  return (await pool.volumes.list()).map((v) => v.name).filter((n) => n.startsWith(prefix));
}

before(async () => {
  lv = await connect('qemu:///system');
  assert.deepEqual(await poolVolumes(), [], 'no volume of this test before it');
});
after(async () => {
  for (const name of names) await deleteVm(lv, name, { force: true }).catch(() => undefined);
  await lv.close();
  rmSync(locks, { recursive: true, force: true });
});

interface Outcome {
  cmd: Cmd;
  run: RunResult;
  /** The parsed --json document. */
  doc: { error?: { code: string; state?: DomainState; pid?: number } } & Record<string, unknown>;
}

/** `bin/phyllo ARGV`, whose output must be one JSON document whatever happened. */
async function runJson(argv: string[]): Promise<Omit<Outcome, 'cmd'>> {
  const run = await phyllo(...argv);
  try {
    return { run, doc: JSON.parse(run.stdout) as Outcome['doc'] };
  } catch {
    assert.fail(`${argv.join(' ')}: not one JSON document (exit ${run.code}): ${run.stdout}${run.stderr}`);
  }
}

/** Did the command run inside the lock (it succeeded, or found a state it refuses)? */
const ran = (o: Outcome) => o.run.code === 0 || o.doc.error?.code === 'vm-wrong-state';

/**
 * A serial order of the commands that ran on one VM that explains every outcome: from the state
 * before the batch, each success is accepted by the state it meets, each refusal meets the state its
 * error names, the snapshots come in the order `vm snapshot list` gives, and the last state is the
 * one libvirt reports. Undefined when no order does.
 */
function serialOrder(
  start: DomainState,
  outcomes: Outcome[],
  end: DomainState,
  snapshots: string[],
): Outcome[] | undefined {
  const orders = (xs: Outcome[]): Outcome[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x, i) => orders(xs.filter((_, j) => j !== i)).map((o) => [x, ...o]));
  return orders(outcomes).find((order) => {
    let state = start;
    const made: string[] = [];
    for (const o of order) {
      const rule = RULES[o.cmd.op];
      if (o.run.code !== 0) {
        if (rule.from.includes(state) || o.doc.error?.state !== state) return false;
        continue;
      }
      if (!rule.from.includes(state)) return false;
      state = rule.to ?? state;
      if (o.cmd.op === 'snapshot') made.push(o.cmd.snap!);
    }
    return state === end && made.join() === snapshots.join();
  });
}

test('20 parallel start/kill/shutdown/pause/resume/snapshot commands on 5 VMs end consistent', async () => {
  const made = await Promise.all(
    names.map((name) => phyllo(...testGuestCreateArgs(name, { vcpus: 1, diskSize: '16M' }), '--json')),
  );
  for (const m of made) {
    assert.equal(m.code, 0, m.stdout + m.stderr);
    uuids.push((JSON.parse(m.stdout) as { uuid: string }).uuid);
  }
  for (const [i, state] of INITIAL.entries()) {
    if (state === 'shutoff') continue;
    const started = await phyllo('vm', 'start', names[i]!, '--json');
    assert.equal(started.code, 0, started.stdout + started.stderr);
    if (state === 'paused') assert.equal((await phyllo('vm', 'pause', names[i]!, '--json')).code, 0);
  }

  const began = Date.now();
  const outcomes: Outcome[] = await Promise.all(
    BATCH.map(async (cmd) => ({ cmd, ...(await runJson(args(cmd))) })),
  );
  const ms = Date.now() - began;
  const pids = new Set(outcomes.map((o) => o.run.pid));
  const summary = outcomes
    .map((o) => `${args(o.cmd).slice(0, -1).join(' ')} → ${o.run.code === 0 ? 'ok' : o.doc.error?.code}`)
    .join('\n');
  console.log(`# the batch took ${ms} ms:\n${summary}`);

  for (const o of outcomes) {
    const what = `${args(o.cmd).join(' ')} (exit ${o.run.code}): ${o.run.stdout}${o.run.stderr}`;
    if (o.run.code === 0) {
      assert.equal(o.doc.error, undefined, what);
      if (o.cmd.op === 'snapshot') assert.equal(o.doc.name, o.cmd.snap, what);
      else assert.deepEqual([o.doc.name, o.doc.operation], [names[o.cmd.vm], o.cmd.op], what);
      continue;
    }
    // The error kinds a race may give, and nothing else (a libvirt error, an untyped or unexpected
    // error, a crash fails the test):
    // - operation-in-progress: another command of this batch held the VM's lock, so this one did
    //   nothing. The lock excludes, it does not queue: the holder must be one of the batch's processes.
    // - vm-wrong-state: this one took the lock after another command of the batch had changed the
    //   VM (a start before a snapshot, a kill before a pause, a second start). The refusal is made
    //   inside the lock from the state read there, before anything is touched, so it is the same as
    //   running the commands one after the other in that order — which serialOrder() below checks,
    //   with the state the error reports. Only a batch of commands that commute (snapshots alone)
    //   could rule it out, and that would not test start/stop against snapshot.
    assert.equal(o.run.code, 1, what);
    const code = o.doc.error?.code;
    assert.ok(code === 'operation-in-progress' || code === 'vm-wrong-state', what);
    if (code === 'operation-in-progress') assert.ok(pids.has(o.doc.error!.pid!), `holder: ${what}`);
  }

  for (const [i, name] of names.entries()) {
    const mine = outcomes.filter((o) => o.cmd.vm === i);
    const dom = await lv.domains.lookup(name);
    const { state } = await dom.state();
    assert.ok(['shutoff', 'running', 'paused'].includes(state), `${name} is ${state}`);

    const list = await phyllo('vm', 'snapshot', 'list', name, '--json');
    assert.equal(list.code, 0, list.stdout);
    const snapshots = (JSON.parse(list.stdout) as { snapshots: { name: string }[] }).snapshots.map(
      (s) => s.name,
    );
    const succeeded = mine.filter((o) => o.cmd.op === 'snapshot' && o.run.code === 0).map((o) => o.cmd.snap!);
    assert.deepEqual(
      [...snapshots].sort(),
      succeeded.sort(),
      `${name}: every snapshot that succeeded, no other`,
    );
    const order = serialOrder(INITIAL[i]!, mine.filter(ran), state, snapshots);
    assert.ok(order, `${name}: no serial order explains these outcomes, ending ${state}:\n${summary}`);

    // The metadata chain is whole: vm info reads it, every image of it exists, one overlay per snapshot.
    const info = await phyllo('vm', 'info', name, '--json');
    assert.equal(info.code, 0, info.stdout + info.stderr);
    const facts = JSON.parse(info.stdout) as {
      disks: { device: string; source?: string; backingChain: { path: string }[] | null }[];
      snapshots: { name: string }[];
    };
    const disk = facts.disks.find((d) => d.device === 'disk')!;
    // The chain vm info reads from the images (it starts with the current image itself).
    const chain = [...new Set([disk.source!, ...(disk.backingChain ?? []).map((b) => b.path)])];
    for (const path of chain) assert.ok(existsSync(path), `${name}: ${path} exists`);
    assert.equal(chain.length, 1 + snapshots.length, `${name}: chain ${chain.join(' ← ')}`);
    assert.deepEqual(
      ours(IMAGES)
        .filter((f) => f === `${name}.qcow2` || f.startsWith(`${name}-`))
        .sort(),
      chain.map((p) => p.slice(IMAGES.length + 1)).sort(),
      `${name}: the pool holds its chain and nothing else (no overlay of a refused snapshot)`,
    );
    // Each snapshot's copies (the TPM state of a VM that has run), none of a refused one.
    const dirs = existsSync(join(snapshotRoot(), uuids[i]!))
      ? readdirSync(join(snapshotRoot(), uuids[i]!))
      : [];
    assert.deepEqual(dirs.sort(), [...snapshots].sort(), `${name}: snapshot directories`);
  }
  assert.deepEqual((await poolVolumes()).sort(), ours(IMAGES).sort(), 'libvirt sees the same volumes');
  assert.deepEqual(readdirSync(locks), [], 'no lock or temporary lock file is left');

  // Deleting, while a kill and a snapshot race the delete on each VM, launched 0 to 3 s after it
  // (another delay on each VM, so that some come first, some find the VM busy, some find it gone).
  const DELAYS_MS = [0, 250, 750, 1500, 3000];
  // Each of those succeeds, finds the VM busy or in the wrong state, or finds it gone: vm-not-found,
  // never libvirt's own "Domain not found". A delete that found its VM busy is done again afterwards.
  const wave = await Promise.all(
    names.flatMap((name, i) => [
      (async () => {
        const argv = ['vm', 'delete', name, '--force', '--json'];
        return { argv, ...(await runJson(argv)) };
      })(),
      ...[
        ['vm', 'kill', name, '--json'],
        ['vm', 'snapshot', 'create', name, 'z', '--json'],
      ].map(async (argv) => {
        await sleep(DELAYS_MS[i]!);
        return { argv, ...(await runJson(argv)) };
      }),
    ]),
  );
  for (const { argv, run, doc } of wave) {
    const what = `${argv.join(' ')} (exit ${run.code}): ${run.stdout}${run.stderr}`;
    const allowed =
      argv[1] === 'delete'
        ? ['operation-in-progress']
        : ['operation-in-progress', 'vm-wrong-state', 'vm-not-found'];
    if (run.code !== 0) assert.ok(allowed.includes(doc.error?.code ?? ''), what);
  }
  for (const { argv, run } of wave)
    if (argv[1] === 'delete' && run.code !== 0) {
      const again = await phyllo(...argv);
      assert.equal(again.code, 0, again.stdout + again.stderr);
    }
  console.log(
    `# the delete wave:\n${wave.map((w) => `${w.argv.slice(0, -1).join(' ')} → ${w.run.code === 0 ? 'ok' : w.doc.error?.code}`).join('\n')}`,
  );
  assert.deepEqual(await poolVolumes(), [], 'no volume left');
  assert.deepEqual(ours(IMAGES), [], 'no image file left');
  assert.deepEqual(ours(NVRAM_DIR), [], 'no NVRAM file left');
  for (const uuid of uuids) {
    assert.equal(existsSync(tpmDir(uuid)), false, `no TPM state left: ${tpmDir(uuid)}`);
    assert.equal(existsSync(join(snapshotRoot(), uuid)), false, 'no snapshot directory left');
  }
  const left = (await lv.domains.list()).map((d) => d.name).filter((n) => n.startsWith(prefix));
  assert.deepEqual(left, [], 'no domain left');
  assert.deepEqual(readdirSync(locks), [], 'no lock left by the deletes');
});
