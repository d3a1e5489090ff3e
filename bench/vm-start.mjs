// Benchmark: `phyllo vm start NAME && phyllo vm console NAME` vs `virsh start NAME && virsh console
// NAME` on the same domain (the test guest, direct kernel boot under TCG), to the guest's first serial
// line (its ready line: the kernel is `quiet`, so it is the first line the guest writes). Both run on a
// pseudo-terminal (`script`), alternating, the domain destroyed between runs; medians in one run.
// Usage: node bench/vm-start.mjs [--runs N] [--json]. Needs: npm run build, the test guest, root.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin', 'phyllo');
const { connect } = await import(join(ROOT, 'dist/src/libvirt/index.js'));
const { testGuestDomainXml, REPORT_MARKER } = await import(join(ROOT, 'dist/test/support/test-guest.js'));

const i = process.argv.indexOf('--runs');
const runs = i >= 0 ? Number(process.argv[i + 1]) : 7;
const json = process.argv.includes('--json');
const URI = 'qemu:///system';
const name = `phyllo-bench-start-${process.pid}`;

/**
 * Milliseconds from spawning `command` (on a pty) to the console being attached (the tool's own
 * "escape" line: what the tool controls) and to the guest's first line on it (what a user waits for).
 */
function toFirstLine(command) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
      detached: true,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let out = '';
    let attachMs;
    const guard = setTimeout(
      () => finish(new Error(`no ${REPORT_MARKER} line from: ${command}\n${out.slice(-400)}`)),
      180_000,
    );
    function finish(err) {
      clearTimeout(guard);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // the process group is already gone
      }
      if (err) reject(err);
      else resolve({ attachMs: attachMs ?? ms, ms });
    }
    child.stdout.on('data', (c) => {
      out += c.toString('latin1');
      if (attachMs === undefined && /escape/i.test(out))
        attachMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const at = out.indexOf(REPORT_MARKER);
      if (at >= 0 && out.indexOf('\n', at) > 0) finish();
    });
    child.on('exit', (code) => {
      if (!out.includes(REPORT_MARKER)) finish(new Error(`${command} exited ${code}: ${out.slice(-400)}`));
    });
  });
}

const lv = await connect(URI);
const dom = await lv.domains.define(testGuestDomainXml({ name }));
const stop = async () => {
  await dom.destroy().catch(() => undefined);
  for (let t = 0; t < 100 && (await dom.state()).state !== 'shutoff'; t++)
    await new Promise((r) => setTimeout(r, 50));
};
const tools = {
  phyllome: `${CLI} vm start ${name} -c ${URI} >/dev/null && exec ${CLI} vm console ${name} -c ${URI}`,
  virsh: `virsh -q -c ${URI} start ${name} >/dev/null && exec virsh -c ${URI} console ${name}`,
};
const samples = { phyllome: [], virsh: [] };
try {
  // One warm-up each (page cache, code cache), not counted.
  for (const cmd of Object.values(tools)) {
    await toFirstLine(cmd);
    await stop();
  }
  for (let r = 0; r < runs; r++) {
    for (const [tool, cmd] of r % 2 ? Object.entries(tools).reverse() : Object.entries(tools)) {
      samples[tool].push(await toFirstLine(cmd));
      await stop();
    }
  }
} finally {
  await stop();
  await dom.undefine().catch(() => undefined);
  await lv.close();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stat = (xs) => ({
  median: Math.round(median(xs)),
  min: Math.round(Math.min(...xs)),
  max: Math.round(Math.max(...xs)),
});
const result = Object.fromEntries(
  Object.entries(samples).map(([tool, all]) => [
    tool,
    { runs: all.length, attachMs: stat(all.map((x) => x.attachMs)), firstLineMs: stat(all.map((x) => x.ms)) },
  ]),
);
const ratio = (k) => Math.round((result.phyllome[k].median / result.virsh[k].median) * 1000) / 1000;
const ratios = { firstLine: ratio('firstLineMs'), attach: ratio('attachMs') };
if (json) console.log(JSON.stringify({ ...result, ratios }, null, 2));
else {
  console.log(`vm start to the guest's first serial line (test guest, TCG, ${runs} runs each, alternating)`);
  console.log(
    '| tool                                | console attached ms (median / min) | first serial line ms (median / min / max) |',
  );
  console.log(
    '|-------------------------------------|------------------------------------|-------------------------------------------|',
  );
  const label = { phyllome: 'phyllo vm start + phyllo vm console', virsh: 'virsh start + virsh console' };
  for (const [tool, m] of Object.entries(result))
    console.log(
      `| ${label[tool].padEnd(35)} | ${`${m.attachMs.median} / ${m.attachMs.min}`.padEnd(34)} | ${`${m.firstLineMs.median} / ${m.firstLineMs.min} / ${m.firstLineMs.max}`.padEnd(41)} |`,
    );
  console.log(
    `phyllome / virsh, first serial line: ${ratios.firstLine}× (target: within 1.1×); console attached: ${ratios.attach}×`,
  );
}
