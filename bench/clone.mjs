// Benchmark: `phyllo vm clone` (linked) of a UEFI + TPM VM vs `virt-clone --auto-clone` of the same
// VM, each as a whole process, on a raw disk of 2 GiB and of 20 GiB virtual size holding random data
// (1 GiB and 2 GiB). The VM is booted once first, so it has NVRAM and TPM state; the table says
// whether each tool copied them. Every clone is deleted right after it is timed; the sources too.
// Usage: node bench/clone.mjs [--runs N] [--virt-clone-runs N] [--json]
// Needs: npm run build, root (the system daemon), virt-clone (Debian package `virtinst`), the test guest.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin', 'phyllo');
const { connect } = await import(join(ROOT, 'dist/src/libvirt/index.js'));
const { deleteVm } = await import(join(ROOT, 'dist/src/machines/delete-vm.js'));
const { cloneVm } = await import(join(ROOT, 'dist/src/machines/clone-vm.js'));
const { testGuestDomainXml } = await import(join(ROOT, 'dist/test/support/test-guest.js'));
const { bootOnce } = await import(join(ROOT, 'dist/test/support/uefi-guest.js'));

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const runs = arg('--runs', 7);
const vcRuns = arg('--virt-clone-runs', 3);
const json = process.argv.includes('--json');
const IMAGES = '/var/lib/libvirt/images';
const tag = Math.random().toString(36).slice(2, 8);
const SIZES = [
  { label: '2 GiB', virtualGiB: 2, dataMiB: 1024 },
  { label: '20 GiB', virtualGiB: 20, dataMiB: 2048 },
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function timed(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}
const nvramOf = (vm) => `/var/lib/libvirt/qemu/nvram/${vm}_VARS.fd`;
const tpmOf = (uuid) => `/var/lib/libvirt/swtpm/${uuid}/tpm2/tpm2-00.permall`;

const lv = await connect('qemu:///system');
// On a fresh machine no pool exists until the first `vm create`: define libvirt's usual one.
const defaultPool = await lv.pools.lookup('default').catch(async () => {
  const pool = await lv.pools.define(
    `<pool type='dir'><name>default</name><target><path>${IMAGES}</path></target></pool>`,
  );
  await pool.build().catch(() => {});
  await pool.start();
  await pool.setAutostart(true);
  return pool;
});
const rows = [];
const made = [];
try {
  for (const size of SIZES) {
    const src = `phyllo-bench-clone-${tag}-${size.virtualGiB}g`;
    const disk = join(IMAGES, `${src}.raw`);
    made.push(src);
    execFileSync('truncate', ['-s', `${size.virtualGiB}G`, disk]);
    execFileSync(
      'dd',
      ['if=/dev/urandom', `of=${disk}`, 'bs=4M', `count=${size.dataMiB / 4}`, 'conv=notrunc,fsync'],
      {
        stdio: 'ignore',
      },
    );
    await defaultPool.refresh();
    const xml = testGuestDomainXml({
      name: src,
      tpm: true,
      userNetwork: true,
      poweroffAfterReport: true,
      extraDevices: `    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${disk}'/><target dev='vda' bus='virtio'/></disk>`,
    }).replace('<os>', "<os firmware='efi'>");
    const dom = await lv.domains.define(xml);
    await bootOnce(dom);

    const phyllo = [];
    let phylloCopied = true;
    for (let i = 0; i < runs; i++) {
      const dst = `${src}-p${i}`;
      phyllo.push(timed(CLI, ['vm', 'clone', src, dst]));
      const c = await lv.domains.lookup(dst);
      phylloCopied &&= existsSync(nvramOf(dst)) && existsSync(tpmOf(c.uuid));
      await deleteVm(lv, dst);
    }
    // The same clone inside one process (no Node start-up): where the command's time goes.
    const inProcess = [];
    for (let i = 0; i < runs; i++) {
      const dst = `${src}-i${i}`;
      const t0 = process.hrtime.bigint();
      await cloneVm(lv, src, dst);
      inProcess.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await deleteVm(lv, dst);
    }
    const vc = [];
    let vcNvram = false;
    let vcTpm = false;
    for (let i = 0; i < vcRuns; i++) {
      const dst = `${src}-v${i}`;
      vc.push(timed('virt-clone', ['--original', src, '--name', dst, '--auto-clone']));
      const c = await lv.domains.lookup(dst);
      vcNvram ||= existsSync(nvramOf(dst));
      vcTpm ||= existsSync(tpmOf(c.uuid));
      await deleteVm(lv, dst);
    }
    rows.push({
      size: size.label,
      dataMiB: size.dataMiB,
      phylloMs: median(phyllo),
      virtCloneMs: median(vc),
      inProcessMs: median(inProcess),
      phylloRuns: phyllo,
      inProcessRuns: inProcess,
      virtCloneRuns: vc,
      phylloCopiesNvramAndTpm: phylloCopied,
      virtCloneCopiesNvram: vcNvram,
      virtCloneCopiesTpm: vcTpm,
    });
    await deleteVm(lv, src);
    made.pop();
  }
} finally {
  for (const vm of made) await deleteVm(lv, vm, { force: true }).catch(() => undefined);
  for (const size of SIZES)
    rmSync(join(IMAGES, `phyllo-bench-clone-${tag}-${size.virtualGiB}g.raw`), { force: true });
  await lv.close();
}

if (json) console.log(JSON.stringify({ runs, virtCloneRuns: vcRuns, rows }, null, 2));
else {
  const yes = (b) => (b ? 'yes' : '**no**');
  console.log(
    `phyllo vm clone (linked) vs virt-clone --auto-clone, UEFI + TPM VM booted once; medians of ${runs} / ${vcRuns} runs\n`,
  );
  console.log(
    '| disk (virtual, random data) | phyllo vm clone | (cloneVm in-process) | virt-clone --auto-clone | ratio | phyllo copies NVRAM + TPM | virt-clone copies NVRAM | virt-clone copies TPM |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.size}, ${r.dataMiB / 1024} GiB data | ${r.phylloMs.toFixed(0)} ms | ${r.inProcessMs.toFixed(0)} ms | ${r.virtCloneMs.toFixed(0)} ms | ${(r.virtCloneMs / r.phylloMs).toFixed(1)}x | ${yes(r.phylloCopiesNvramAndTpm)} | ${yes(r.virtCloneCopiesNvram)} | ${yes(r.virtCloneCopiesTpm)} |`,
    );
}
