// The installed command, bin/phyllo: the bundled CLI started with V8's code cache (src/cli/start.ts).
// It must print exactly what tsc's unbundled CLI prints, cold and warm, through a symlink, and survive a
// damaged cache.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'phyllo');
const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const BUILD_ID = readFileSync(join(ROOT, 'dist', 'build-id'), 'utf8').trim();

let cacheHome: string;
before(() => {
  cacheHome = mkdtempSync(join(tmpdir(), 'phyllome-bin-'));
});
after(() => rmSync(cacheHome, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { env: { ...process.env, XDG_CACHE_HOME: cacheHome, ...env } },
      (err, stdout, stderr) => {
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
  });
}

const codeCacheDir = () => join(cacheHome, 'phyllome', 'code-cache');
/** Makes the starter say on stderr whether the code cache was missing, accepted or rejected, and written. */
const DEBUG = { PHYLLO_DEBUG_CACHE: '1' };
/** The starter's lines on stderr (a command may warn there too, e.g. when KVM does not work here). */
const cacheReport = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('phyllo code cache: '))
    .map((l) => l.slice('phyllo code cache: '.length));

const CREATE = [
  'vm',
  'create',
  'bin-test',
  '--os',
  'linux',
  '--memory',
  '2048',
  '--disk-size',
  'none',
  '--print-xml',
];

test('bin/phyllo prints what the unbundled CLI prints, cold and then from the code cache', async () => {
  const reference = await run(process.execPath, [MAIN, ...CREATE]);
  assert.equal(reference.code, 0, reference.stderr);
  assert.match(reference.stdout, /<domain type=/);

  const cold = await run(BIN, CREATE, DEBUG);
  assert.equal(cold.code, 0, cold.stderr);
  assert.equal(cold.stdout, reference.stdout);
  const cacheFile = join(codeCacheDir(), `${BUILD_ID}.vm-create.disk-size.memory.os.print-xml.bin`);
  assert.deepEqual(cacheReport(cold.stderr), [`missing ${cacheFile}`, `written ${cacheFile}`]);
  // the command's own bundle ran (scripts/bundle.mjs), not the whole CLI's
  assert.match(cold.stderr, /^phyllo bundle: phyllo-vm-create\.cjs$/m);
  assert.ok(readFileSync(cacheFile).length > 10_000, 'the cold run leaves the compiled code behind');

  // The bundle also keeps libvirt's parsed capability documents (src/model/parse-cache.ts).
  const parsed = JSON.parse(readFileSync(join(cacheHome, 'phyllome', 'parsed-capabilities.json'), 'utf8'));
  assert.equal(parsed.build, BUILD_ID);
  assert.match(parsed.document, /<capabilities>/);

  const warm = await run(BIN, CREATE, DEBUG);
  assert.equal(warm.code, 0, warm.stderr);
  assert.equal(warm.stdout, reference.stdout);
  // V8 took the cache (it checks the source and its own version and flags, and says when it rejects it)
  assert.deepEqual(cacheReport(warm.stderr), [`accepted ${cacheFile}`]);
  assert.deepEqual(cacheReport((await run(BIN, CREATE)).stderr), [], 'silent without PHYLLO_DEBUG_CACHE');

  const help = await run(BIN, ['vm', '--help'], DEBUG);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stderr, /^phyllo bundle: phyllo\.cjs$/m, 'help for a group: the whole CLI');
  assert.match(help.stdout, /vm create/);

  for (const args of [
    ['os', 'list', '--json'],
    ['os', 'show', 'windows-11', '--json'],
  ]) {
    const [a, b] = await Promise.all([run(process.execPath, [MAIN, ...args]), run(BIN, args)]);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(b.stdout, a.stdout, args.join(' '));
  }
});

test('errors keep their code and exit status in the bundle', async () => {
  const args = ['vm', 'create', 'bad/name', '--os', 'linux', '--print-xml', '--json'];
  const [a, b] = await Promise.all([run(process.execPath, [MAIN, ...args]), run(BIN, args)]);
  assert.notEqual(b.code, 0);
  assert.equal(b.code, a.code);
  assert.equal(b.stdout, a.stdout);
  assert.equal(JSON.parse(b.stdout).error.code, JSON.parse(a.stdout).error.code);
});

test('a damaged code cache is rejected by V8 and replaced; the output does not change', async () => {
  const args = ['os', 'list'];
  const good = await run(BIN, args);
  const cacheFile = join(codeCacheDir(), `${BUILD_ID}.os-list.bin`);
  writeFileSync(cacheFile, Buffer.alloc(4096, 0x5a));
  const again = await run(BIN, args, DEBUG);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, good.stdout);
  assert.deepEqual(cacheReport(again.stderr), [`rejected ${cacheFile}`, `written ${cacheFile}`]);
  assert.deepEqual(cacheReport((await run(BIN, args, DEBUG)).stderr), [`accepted ${cacheFile}`]);
  assert.notDeepEqual(readFileSync(cacheFile), Buffer.alloc(4096, 0x5a), 'the damaged file was rewritten');
});

test('global flags before the command: same output and the same code cache as after it', async () => {
  const after = await run(BIN, ['host', 'devices', '--root', '/', '--json'], DEBUG);
  assert.equal(after.code, 0, after.stderr);
  const cacheFile = join(codeCacheDir(), `${BUILD_ID}.host-devices.json.root.bin`);
  assert.deepEqual(cacheReport(after.stderr), [`missing ${cacheFile}`, `written ${cacheFile}`]);
  for (const line of [
    ['--root', '/', '--json', 'host', 'devices'],
    ['--json', 'host', '--root=/', 'devices'],
  ]) {
    const before = await run(BIN, line, DEBUG);
    assert.equal(before.code, 0, before.stderr);
    assert.equal(before.stdout, after.stdout, line.join(' '));
    assert.deepEqual(cacheReport(before.stderr), [`accepted ${cacheFile}`], line.join(' '));
  }
});

test('usage errors and help from the bundle: an unknown command with --help fails, a group lists its commands', async () => {
  const unknown = await run(BIN, ['vm', 'frobnicate', '--help', '--json']);
  assert.equal(unknown.code, 1);
  assert.equal(JSON.parse(unknown.stdout).error.code, 'unknown-command');
  const extra = await run(BIN, ['vm', 'create', 'my', 'vm', '--os', 'linux', '--print-xml']);
  assert.equal(extra.code, 1);
  assert.match(
    extra.stderr,
    /^error: `phyllo vm create` takes one argument \(NAME\), but was also given "vm"\nhint: /,
  );
  const group = await run(BIN, ['os']);
  assert.equal(group.code, 0, group.stderr);
  assert.match(group.stdout, /\n {2}os list +Guest OS profiles/);
  const [version, reference] = await Promise.all([
    run(BIN, ['--version']),
    run(process.execPath, [MAIN, '--version']),
  ]);
  assert.match(version.stdout, /^phyllo \d+\.\d+\.\d+\n$/);
  assert.equal(version.stdout, reference.stdout);
  const help = await run(BIN, ['vm', 'create', '--help']);
  assert.match(help.stdout, /\n {6}--memory SIZE +Guest memory/);
});

test('caches of other builds go once a day old; a recent one (another checkout) stays', async () => {
  const stale = join(codeCacheDir(), 'an-older-build.vm-create.bin');
  const recent = join(codeCacheDir(), 'another-checkout.vm-create.bin');
  writeFileSync(stale, 'old');
  writeFileSync(recent, 'new');
  const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
  utimesSync(stale, twoDaysAgo, twoDaysAgo);
  rmSync(join(codeCacheDir(), `${BUILD_ID}.os-show.bin`), { force: true });
  const r = await run(BIN, ['os', 'show', 'linux']);
  assert.equal(r.code, 0, r.stderr);
  const files = readdirSync(codeCacheDir());
  assert.ok(!files.includes('an-older-build.vm-create.bin'), files.join(', '));
  assert.ok(files.includes('another-checkout.vm-create.bin'), files.join(', '));
  assert.ok(files.includes(`${BUILD_ID}.os-show.bin`), files.join(', '));
});

test('through a symlink (as npm installs it), and without NODE_EXTRA_CA_CERTS reaching Node', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'phyllome-link-'));
  try {
    symlinkSync(BIN, join(dir, 'phyllo'));
    // Node warns on stderr when NODE_EXTRA_CA_CERTS names a file it cannot load: proof it read the variable.
    const env = { NODE_EXTRA_CA_CERTS: join(dir, 'no-such-bundle.pem') };
    const node = await run(process.execPath, [MAIN, 'os', 'list'], env);
    assert.match(node.stderr, /extra certs/i);
    const linked = await run(join(dir, 'phyllo'), ['os', 'list'], env);
    assert.equal(linked.code, 0, linked.stderr);
    assert.equal(linked.stdout, node.stdout);
    assert.doesNotMatch(linked.stderr, /extra certs/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
