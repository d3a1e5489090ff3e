// Runs the compiled test files with node's own test runner.
// --unit: only tests beside the code (src/); default: unit + integration (test/).
// Two phases: every test file, then the ones under dist/test/after-suite/ (checks over what the whole
// suite left, e.g. that no server log holds a secret), which read PHYLLO_TEST_LOG_DIR. The last line is
// the sum of both phases: `N passed, N failed`.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const unitOnly = process.argv.includes('--unit');
const filter = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const AFTER = join('dist', 'test', 'after-suite');

function collect(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(collect(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

let files = collect('dist/src');
if (!unitOnly) files = files.concat(collect('dist/test'));
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
const logDir = mkdtempSync(join(tmpdir(), 'phyllo-test-logs-'));
const env = { ...process.env, PHYLLO_TEST_LOG_DIR: logDir };
const phases = [files.filter((f) => !f.startsWith(AFTER)), files.filter((f) => f.startsWith(AFTER))];
let passed = 0;
let failed = 0;
let status = 0;
phases.forEach((group, i) => {
  if (!group.length) return;
  const tap = join(logDir, `phase-${i}.tap`);
  const res = spawnSync(
    process.execPath,
    [
      '--enable-source-maps',
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      '--test-concurrency=2',
      ...group,
    ],
    { stdio: 'inherit', env },
  );
  if (res.status !== 0) status = res.status ?? 1;
  let text = '';
  try {
    text = readFileSync(tap, 'utf8');
  } catch {
    failed++; // the runner died before writing its report
  }
  passed += Number(/^# pass (\d+)$/m.exec(text)?.[1] ?? 0);
  failed += Number(/^# fail (\d+)$/m.exec(text)?.[1] ?? 0);
});
rmSync(logDir, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(status || (failed ? 1 : 0));
