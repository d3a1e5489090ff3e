// Runs the compiled test files with node's own test runner.
// --unit: only tests beside the code (src/); default: unit + integration (test/).
// The web UI's component tests (web/src/**/*.test.ts, Vitest) run first, then node's test runner in
// two phases: every test file, then the ones under dist/test/after-suite/ (checks over what the whole
// suite left, e.g. that no server log holds a secret), which read PHYLLO_TEST_LOG_DIR. The last line is
// the sum of both phases: `N passed, N failed`.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

let passed = 0;
let failed = 0;
let status = 0;

// Vitest for web/ (a filter runs it only when one names web/).
if (!filter.length || filter.some((x) => x.startsWith('web'))) {
  const out = join(mkdtempSync(join(tmpdir(), 'phyllo-vitest-')), 'report.json');
  const res = spawnSync(
    process.execPath,
    [
      'node_modules/vitest/vitest.mjs',
      'run',
      '--config',
      'web/vite.config.ts',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${out}`,
    ],
    { stdio: 'inherit' },
  );
  if (res.status !== 0) status = res.status ?? 1;
  try {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests + (report.success || report.numFailedTests ? 0 : 1);
  } catch {
    failed++; // Vitest died before writing its report
  }
  rmSync(dirname(out), { recursive: true, force: true });
}
const onlyWeb = filter.length > 0 && filter.every((x) => x.startsWith('web'));

let files = onlyWeb ? [] : collect('dist/src');
if (!unitOnly && !onlyWeb) files = files.concat(collect('dist/test'));
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
if (files.length === 0 && !onlyWeb) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
const logDir = mkdtempSync(join(tmpdir(), 'phyllo-test-logs-'));
const env = { ...process.env, PHYLLO_TEST_LOG_DIR: logDir };
const phases = [files.filter((f) => !f.startsWith(AFTER)), files.filter((f) => f.startsWith(AFTER))];
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
