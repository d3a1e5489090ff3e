// Runs every benchmark in bench/ against the built tree (`npm run build` first), one after another.
import { spawnSync } from 'node:child_process';

const benches = [
  ['node', ['dist/bench/libvirt-client.js']],
  ['node', ['bench/host-check.mjs']],
  ['node', ['bench/model.mjs']],
  ['node', ['bench/vm-list.mjs']],
  ['node', ['bench/disk-copy.mjs']],
  ['node', ['bench/vm-start.mjs']],
  ['node', ['bench/vm-create.mjs']],
  ['node', ['bench/clone.mjs']],
  ['node', ['bench/api.mjs']],
  ['node', ['bench/web.mjs']],
  ['node', ['bench/bundle.mjs']],
];
let failed = 0;
for (const [cmd, args] of benches) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
