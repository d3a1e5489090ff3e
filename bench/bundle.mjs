// Benchmark (issue 11): `phyllo vm export` and `phyllo vm import` of a VM whose 20 GiB qcow2 disk holds
// 2 GiB of data in 64 extents (random, then compressible text), next to the floor, `cp --sparse=always`
// of the same image, and to libvirt's own `virsh vol-download --sparse` / `vol-upload --sparse`, in the
// same run. Each row is a whole process, until its output is on disk (fsync of the file), medians of
// --runs. Prints the bundle sizes against the data size, and zstd's throughput on the disk data.
// Then `phyllo vm move` to a second libvirt host (a real libvirtd in its own namespaces, as the tests
// start it: test/support/second-host.ts, over qemu+tcp://) against what a user would do without it:
// export to a file, copy the file (cp, standing in for scp), import it there.
// --cache cold (the default) takes the bench's data files out of the page cache before each timed
// step (`sync`, then `dd iflag=nocache count=0` of each: posix_fadvise DONTNEED, checked with
// fincore), so every tool reads its input from the disk, as the issue's own reference measurement
// did, while the programs (node, cp, virsh, libvirtd) stay cached as on a computer in use.
// --cache system empties the whole page cache instead (/proc/sys/vm/drop_caches): then each step also
// reads its program and libvirtd its code from the disk again (node's 99 MB binary: `node -e 0` 175 ms
// against 65 ms here), a cost cp, a 150 kB program, hardly has. --cache warm leaves the cache as the
// steps before left it (the input mostly still cached).
// Run after `npm run build`, as root:
//   node bench/bundle.mjs [--runs N] [--data random,text] [--no-move] [--cache cold|system|warm]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('--runs', '3'));
const DATA = arg('--data', 'random,text').split(',');
const MOVE = !process.argv.includes('--no-move');
const CACHE = arg('--cache', 'cold');
if (!['cold', 'system', 'warm'].includes(CACHE)) {
  console.error('--cache is cold, system or warm');
  process.exit(2);
}
const DROP_CACHES = '/proc/sys/vm/drop_caches';
if (CACHE === 'system') {
  try {
    writeFileSync(DROP_CACHES, '3');
  } catch (err) {
    console.error(`--cache cold writes ${DROP_CACHES} (${err.code}): run as root, or with --cache warm`);
    process.exit(1);
  }
}
const GiB = 2 ** 30;
const MiB = 2 ** 20;
const IMAGES = '/var/lib/libvirt/images';
const DIR = join(IMAGES, `phyllo-bench-bundle-${process.pid}`);
const POOL = `phyllo-bench-bundle-${process.pid}`;
const URI = 'qemu:///system';
const TARGET = { copyRatio: 1.3, zstdMBs: 300, overhead: 0.01 };

if (!existsSync('dist/src/cli/start.cjs')) {
  console.error('build first: npm run build');
  process.exit(1);
}
const free = statfsSync(IMAGES);
if (free.bavail * free.bsize < 16 * GiB) {
  console.error(`needs 16 GiB free under ${IMAGES}`);
  process.exit(1);
}
const { fmt, table } = await import('../dist/bench/stats.js');

const sh = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * MiB });
const phyllo = (...args) => {
  const to = args.includes('--connect') ? [] : ['--connect', URI];
  const r = spawnSync('bin/phyllo', [...args, ...to], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`phyllo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
/** Takes every file of the bench's directory out of the page cache (they were just synced). */
function evictData() {
  for (const name of readdirSync(DIR)) {
    const file = join(DIR, name);
    if (!statSync(file).isFile()) continue;
    sh('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
    const resident = Number(
      String(sh('fincore', ['--bytes', '--noheadings', '--output', 'RES', file])).trim(),
    );
    if (resident > 0) throw new Error(`${file}: ${resident} bytes still cached after dd iflag=nocache`);
  }
}
/** Runs `fn` and fsyncs `out`; ms. */
function timed(fn, out) {
  sh('sync', []);
  if (CACHE === 'system') writeFileSync(DROP_CACHES, '3');
  if (CACHE === 'cold') evictData();
  const t0 = process.hrtime.bigint();
  fn();
  if (out) sh('sync', [out]);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** A raw 20 GiB image with 64 extents of 32 MiB of `kind` data, converted to qcow2. */
function makeImage(kind, path) {
  const raw = `${path}.raw`;
  sh('truncate', ['-s', '20G', raw]);
  const text = Buffer.alloc(32 * MiB);
  const line = Buffer.from(
    'Phyllome bundle benchmark: a line of compressible text, repeated over and over.\n',
  );
  for (let o = 0; o < text.length; o += line.length) line.copy(text, o);
  const chunk = join(DIR, 'chunk');
  if (kind === 'text') writeFileSync(chunk, text);
  for (let i = 0; i < 64; i++) {
    if (kind === 'random') sh('dd', ['if=/dev/urandom', `of=${chunk}`, 'bs=4M', 'count=8', 'status=none']);
    sh('dd', [`if=${chunk}`, `of=${raw}`, 'bs=4M', `seek=${i * 80}`, 'conv=notrunc', 'status=none']);
  }
  rmSync(chunk);
  sh('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, path]);
  rmSync(raw);
}

mkdirSync(DIR, { recursive: true });
const load = loadavg()[0].toFixed(2);
const made = [];
let hostB;
try {
  if (MOVE) {
    const { startSecondHost } = await import('../dist/test/support/second-host.js');
    hostB = await startSecondHost({ imagesPool: true });
    // Its first use runs the KVM boot test there (~20 s, then cached): not part of what is timed.
    phyllo('vm', 'create', 'phyllo-bench-warm', '--os', 'linux', '--print-xml', '--connect', hostB.uri);
  }
  sh('virsh', ['-c', URI, 'pool-create-as', POOL, 'dir', '--target', DIR]);
  const rows = [];
  const notes = [];
  for (const kind of DATA) {
    const vm = `phyllo-bench-bundle-${kind}-${process.pid}`;
    const img = join(DIR, `${vm}.qcow2`);
    makeImage(kind, img);
    sh('virsh', ['-c', URI, 'pool-refresh', POOL]);
    phyllo('vm', 'create', vm, '--os', 'linux', '--disk-image', img, '--display', 'none');
    made.push(vm);
    const data = statSync(img).blocks * 512;
    const t = {
      cp: [],
      download: [],
      upload: [],
      exportRaw: [],
      importRaw: [],
      exportZstd: [],
      importZstd: [],
      move: [],
      byHand: [],
    };
    const size = {};
    for (let r = 0; r < RUNS; r++) {
      const copy = join(DIR, 'copy.qcow2');
      t.cp.push(timed(() => sh('cp', ['--sparse=always', img, copy]), copy));
      rmSync(copy);
      const dl = join(DIR, 'download.qcow2');
      t.download.push(
        timed(
          () => sh('virsh', ['-c', URI, 'vol-download', '--sparse', '--pool', POOL, `${vm}.qcow2`, dl]),
          dl,
        ),
      );
      sh('virsh', [
        '-c',
        URI,
        'vol-create-as',
        POOL,
        'upload.qcow2',
        String(statSync(img).size),
        '--format',
        'raw',
      ]);
      t.upload.push(
        timed(
          () => sh('virsh', ['-c', URI, 'vol-upload', '--sparse', '--pool', POOL, 'upload.qcow2', dl]),
          join(DIR, 'upload.qcow2'),
        ),
      );
      sh('virsh', ['-c', URI, 'vol-delete', '--pool', POOL, 'upload.qcow2']);
      rmSync(dl);
      for (const [label, compress] of [
        ['Raw', 'none'],
        ['Zstd', 'zstd'],
      ]) {
        const bundle = join(DIR, `b-${compress}.phyllome`);
        t[`export${label}`].push(
          timed(() => phyllo('vm', 'export', vm, bundle, '--compress', compress), bundle),
        );
        size[compress] = statSync(bundle).size;
        const copyName = `${vm}-i`;
        // The import fsyncs what it writes before it defines the VM.
        t[`import${label}`].push(timed(() => phyllo('vm', 'import', bundle, '--name', copyName)));
        phyllo('vm', 'delete', copyName);
        rmSync(bundle);
      }
      if (hostB) {
        // Kept here (--keep-source) so that every run moves the same VM; deleted there after each.
        t.move.push(timed(() => phyllo('vm', 'move', vm, '--to', hostB.uri, '--keep-source')));
        phyllo('vm', 'delete', vm, '--connect', hostB.uri);
        const bundle = join(DIR, 'b-move.phyllome');
        const copied = join(DIR, 'b-copied.phyllome');
        t.byHand.push(
          timed(() => {
            phyllo('vm', 'export', vm, bundle, '--compress', 'none');
            sh('cp', [bundle, copied]);
            sh('sync', [copied]);
            phyllo('vm', 'import', copied, '--connect', hostB.uri);
          }),
        );
        phyllo('vm', 'delete', vm, '--connect', hostB.uri);
        rmSync(bundle);
        rmSync(copied);
      }
    }
    const cp = med(t.cp);
    const row = (what, ms, ratioTo = cp, bytes = data) => [
      `${kind}, 2 GiB of data`,
      what,
      fmt(ms / 1000, 2),
      fmt(bytes / MiB / (ms / 1000), 0),
      ratioTo ? `${fmt(ms / ratioTo, 2)}×` : '',
    ];
    rows.push(
      row('cp --sparse=always (the floor)', cp),
      row('virsh vol-download --sparse', med(t.download)),
      row('virsh vol-upload --sparse', med(t.upload)),
      row('phyllo vm export --compress none', med(t.exportRaw)),
      row('phyllo vm import (uncompressed)', med(t.importRaw)),
      row('phyllo vm export (zstd)', med(t.exportZstd)),
      row('phyllo vm import (zstd)', med(t.importZstd)),
    );
    if (hostB) {
      const byHand = med(t.byHand);
      rows.push(
        row('export + cp + import there (by hand)', byHand),
        row('phyllo vm move (to the second host)', med(t.move)),
      );
      notes.push(
        `${kind}: vm move ${fmt(med(t.move) / 1000, 2)} s, export + copy + import ${fmt(byHand / 1000, 2)} s: ${fmt(med(t.move) / byHand, 2)}× (no file in between)`,
      );
    }
    // Every run, so that a median can be told from the spread of this machine's disk.
    for (const [what, ms] of Object.entries(t))
      if (ms.length)
        notes.push(
          `${kind}: ${what} runs ${[...ms]
            .sort((a, b) => a - b)
            .map((x) => fmt(x / 1000, 2))
            .join(', ')} s`,
        );
    const over = size.none / data - 1;
    notes.push(
      `${kind}: data ${fmt(data / MiB, 0)} MiB; bundle uncompressed ${fmt(size.none / MiB, 1)} MiB (data + ${fmt(over * 100, 3)}%, target <= +1%: ${over <= TARGET.overhead ? 'met' : 'NOT met'}), zstd ${fmt(size.zstd / MiB, 1)} MiB (${fmt((size.zstd / data) * 100, 1)}% of the data)`,
      `${kind}: uncompressed export ${fmt(med(t.exportRaw) / cp, 2)}× cp, import ${fmt(med(t.importRaw) / cp, 2)}× cp (target <= ${TARGET.copyRatio}×: ${med(t.exportRaw) / cp <= TARGET.copyRatio && med(t.importRaw) / cp <= TARGET.copyRatio ? 'met' : 'NOT met'}); zstd export ${fmt(data / 1e6 / (med(t.exportZstd) / 1000), 0)} MB/s of disk data (target >= ${TARGET.zstdMBs}: ${data / 1e6 / (med(t.exportZstd) / 1000) >= TARGET.zstdMBs ? 'met' : 'NOT met'})`,
    );
  }
  console.log(
    `\nbundles: a VM with a 20 GiB qcow2 disk holding 2 GiB in 64 extents, ${RUNS} runs, medians, until fsync'ed, page cache ${{ cold: 'without the data files before each step', system: 'dropped before each step', warm: 'warm' }[CACHE]}, load ${load}`,
  );
  console.log(table(['disk', 'tool', 'median s', 'MiB/s (data)', 'vs cp'], rows));
  for (const n of notes) console.log(n);
} finally {
  for (const vm of made) {
    spawnSync('bin/phyllo', ['vm', 'delete', `${vm}-i`, '--connect', URI]);
    spawnSync('bin/phyllo', ['vm', 'delete', vm, '--keep-disks', '--connect', URI]);
  }
  spawnSync('virsh', ['-c', URI, 'pool-destroy', POOL]);
  rmSync(DIR, { recursive: true, force: true });
  await hostB?.stop();
}
