// Benchmark: copying a VM disk image with Phyllome's copyDiskSparse (the `vm clone --full` disk step)
// next to `cp --sparse=always` of the same image, in the same run. The image has 20 GiB virtual size
// and 2 GiB of random data in 64 extents spread over it, as raw and as qcow2. Phyllome's rows: `local`
// (the default on a local daemon: cp under a libvirt volume, then a pool refresh) and `stream`
// (libvirt's sparse download → upload streams: what a remote host gets). Every copy lands in a
// scratch dir pool under /var/lib/libvirt/images, removed at the end.
// Run after `npm run build`:  node bench/disk-copy.mjs [--runs N] [--formats raw,qcow2]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('--runs', '5'));
const FORMATS = arg('--formats', 'raw,qcow2').split(',');
const GiB = 2 ** 30;
const MiB = 2 ** 20;
const DIR = `/var/lib/libvirt/images/phyllo-bench-disk-${process.pid}`;
const POOL = `phyllo-bench-disk-${process.pid}`;

if (!existsSync('dist/src/machines/disk-copy.js')) {
  console.error('build first: npm run build');
  process.exit(1);
}
const free = statfsSync('/var/lib/libvirt/images');
if (free.bavail * free.bsize < 12 * GiB) {
  console.error('needs 12 GiB free under /var/lib/libvirt/images');
  process.exit(1);
}
const { connect } = await import('../dist/src/libvirt/index.js');
const { startJob } = await import('../dist/src/jobs/job.js');
const { copyDiskSparse } = await import('../dist/src/machines/disk-copy.js');
const { fmt, table } = await import('../dist/bench/stats.js');

const sh = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
mkdirSync(DIR, { recursive: true });
const lv = await connect('qemu:///system');
let pool;
try {
  pool = await lv.pools.create(
    `<pool type='dir'><name>${POOL}</name><target><path>${DIR}</path></target></pool>`,
  );
  const raw = join(DIR, 'source.raw');
  sh('truncate', ['-s', '20G', raw]);
  for (let i = 0; i < 64; i++)
    sh('dd', [
      'if=/dev/urandom',
      `of=${raw}`,
      'bs=4M',
      'count=8',
      `seek=${i * 80}`,
      'conv=notrunc',
      'status=none',
    ]);
  if (FORMATS.includes('qcow2'))
    sh('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, join(DIR, 'source.qcow2')]);
  await pool.refresh();

  const rows = [];
  for (const format of FORMATS) {
    const src = join(DIR, `source.${format}`);
    const times = { cp: [], local: [], stream: [] };
    for (let r = 0; r < RUNS; r++) {
      for (const way of r % 2 ? ['stream', 'local', 'cp'] : ['cp', 'local', 'stream']) {
        const name = `copy-${way}.${format}`;
        const dst = join(DIR, name);
        sh('sync', []);
        const t0 = process.hrtime.bigint();
        if (way === 'cp') {
          const c = spawnSync('cp', ['--sparse=always', src, dst]);
          if (c.status !== 0) throw new Error(`cp failed: ${c.stderr}`);
        } else {
          const job = startJob('disk copy', (ctx) =>
            copyDiskSparse(lv, src, { pool: POOL, name }, ctx, { via: way }),
          );
          await job.result;
        }
        // Until the copy is on disk (fsync of that file only), so page-cache luck does not decide.
        sh('sync', [dst]);
        times[way].push(Number(process.hrtime.bigint() - t0) / 1e6);
        const st = statSync(dst);
        if (st.size !== statSync(src).size) throw new Error(`${way}: size ${st.size} differs`);
        if (way === 'cp') rmSync(dst);
        else await (await pool.volumes.lookup(name)).delete();
      }
      await pool.refresh();
    }
    const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
    const base = med(times.cp);
    const baseMin = Math.min(...times.cp);
    const data = (statSync(src).blocks * 512) / MiB;
    for (const way of ['cp', 'local', 'stream']) {
      const m = med(times[way]);
      rows.push([
        format,
        way === 'cp' ? 'cp --sparse=always' : `phyllo copyDiskSparse (${way})`,
        fmt(m / 1000, 2),
        fmt(Math.min(...times[way]) / 1000, 2),
        fmt(data / (m / 1000), 0),
        `${fmt(m / base, 2)}×`,
        `${fmt(Math.min(...times[way]) / baseMin, 2)}×`,
      ]);
    }
  }
  console.log(
    `disk copy: 20 GiB virtual, 2 GiB random data, ${RUNS} runs each, same run, median, until fsync'ed`,
  );
  console.log(
    table(['format', 'tool', 'median s', 'min s', 'MiB/s (data)', 'vs cp (median)', 'vs cp (min)'], rows),
  );
} finally {
  if (pool) {
    for (const v of await pool.volumes.list().catch(() => [])) await v.delete().catch(() => undefined);
    await pool.destroy().catch(() => undefined);
  }
  rmSync(DIR, { recursive: true, force: true });
  await lv.close();
}
