// `npm start` and the set-up as a user other than root: it builds, goes on past the steps that need
// root and names the exact `sudo` command for each, then `phyllo status` runs. The user is `nobody`
// (via runuser), working on a copy of the repository it owns; only root can run this test.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { portOpen } from '../support/port.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const USER = 'nobody';
const COPIED = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'bin',
  'scripts',
  'src',
  'test',
  'bench',
  'data',
  'web',
];

const isRoot = process.getuid?.() === 0;
const hasRunuser = spawnSync('sh', ['-c', 'command -v runuser'], { encoding: 'utf8' }).status === 0;
const skip = !isRoot ? 'runs the set-up as another user: needs root' : !hasRunuser ? 'needs runuser' : false;

function socketLive(path: string): Promise<boolean> {
  return new Promise((done) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      done(true);
    });
    s.once('error', () => done(false));
  });
}

describe('the set-up as a user other than root', { skip }, () => {
  let dir = '';
  let repo = '';
  let env: Record<string, string> = {};

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'phyllome-nonroot-'));
    chmodSync(dir, 0o755);
    repo = join(dir, 'repo');
    for (const name of COPIED)
      cpSync(join(REPO, name), join(repo, name), { recursive: true, preserveTimestamps: true });
    // The user's own copy of node_modules, up to date with the lock file (a link would let npm change ours).
    cpSync(join(REPO, 'node_modules'), join(repo, 'node_modules'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    const now = new Date();
    utimesSync(join(repo, 'node_modules', '.package-lock.json'), now, now);
    // One system package reads as missing, so the package step is one the user cannot do.
    const fakeBin = join(dir, 'bin');
    mkdirSync(fakeBin);
    writeFileSync(
      join(fakeBin, 'dpkg-query'),
      '#!/bin/sh\nfor a; do last=$a; done\n[ "$last" = swtpm-tools ] && { printf "un "; exit 0; }\nexec /usr/bin/dpkg-query "$@"\n',
      { mode: 0o755 },
    );
    for (const d of ['home', 'run', 'guest']) mkdirSync(join(dir, d), { mode: 0o700 });
    const chown = spawnSync('chown', [
      '-R',
      `${USER}:`,
      join(dir, 'repo'),
      join(dir, 'home'),
      join(dir, 'run'),
      join(dir, 'guest'),
    ]);
    assert.equal(chown.status, 0, 'chown the copy to nobody');
    env = {
      PATH: `${fakeBin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: join(dir, 'home'),
      XDG_RUNTIME_DIR: join(dir, 'run'),
      PHYLLO_TEST_GUEST_DIR: join(dir, 'guest'),
    };
  });

  after(() => {
    // `phyllo status` started nobody's session daemon (it would leave by itself when idle): stop it.
    const pidFile = join(dir, 'run', 'libvirt', 'libvirtd.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (pid > 0) {
        try {
          process.kill(pid);
        } catch {
          // already gone
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Runs ARGS as the user until `phyllo serve` prints its login link, then presses Ctrl-C (SIGINT to
   * the whole process group, as a terminal does) once it has fetched the page at its URL; resolves with
   * the exit status, the output and that page (status and body).
   */
  function startAndInterrupt(
    args: string[],
  ): Promise<{ status: number | null; stdout: string; stderr: string; page: string }> {
    const child = spawn(
      'runuser',
      [
        '-u',
        USER,
        '--',
        'env',
        '-i',
        ...Object.entries({ ...env, PHYLLO_LISTEN: '127.0.0.1:0' }).map(([k, v]) => `${k}=${v}`),
        ...args,
      ],
      { cwd: repo, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    let page = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!interrupted && /Ctrl-C stops the server/.test(stderr)) {
        interrupted = true;
        // What a browser gets at the URL, read before Ctrl-C: the web UI's page.
        const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
        void fetch(`${url}/`, { headers: { accept: 'text/html' } })
          .then(async (res) => (page = `${res.status} ${await res.text()}`))
          .catch((err: unknown) => (page = String(err)))
          .finally(() => process.kill(-child.pid!, 'SIGINT'));
      }
    });
    return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr, page })));
  }

  function runAsUser(args: string[]) {
    return spawnSync(
      'runuser',
      ['-u', USER, '--', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...args],
      {
        cwd: repo,
        encoding: 'utf8',
      },
    );
  }

  it('npm start builds, names the sudo command for each root step, skips the test guest, runs phyllo status, then serves until Ctrl-C', async () => {
    const r = await startAndInterrupt(['npm', 'start']);
    // npm itself answers Ctrl-C with 130 (128 + SIGINT), as a shell does; the server must be gone.
    assert.equal(r.status, 130, r.stderr);
    const port = Number(/at http:\/\/127\.0\.0\.1:(\d+)/.exec(r.stderr)?.[1]);
    assert.equal(await portOpen('127.0.0.1', port), false, 'phyllo serve stopped with Ctrl-C');
    assert.match(
      r.stderr,
      /Open this link to log in \(it works once\): http:\/\/127\.0\.0\.1:\d+\/login\?code=/,
    );
    assert.match(r.stderr, /setup: building/);
    // The build made the web UI, and the server served it.
    assert.match(r.page, /^200 /);
    assert.match(r.page, /<div id="root">/);
    assert.match(r.page, /<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/);
    assert.ok(existsSync(join(repo, 'dist', 'src', 'cli', 'phyllo.cjs')), 'the build ran as the user');
    assert.match(r.stderr, /setup: skipped \(needs root\): installing the system packages swtpm-tools/);
    assert.match(
      r.stderr,
      /^ {2}sudo apt-get update && sudo apt-get install -y --no-install-recommends swtpm-tools$/m,
    );
    assert.doesNotMatch(r.stderr, /test guest/, 'npm start does not need the test guest');
    const daemonUp =
      (await socketLive('/run/libvirt/libvirt-sock')) || (await socketLive('/run/libvirt/virtqemud-sock'));
    if (daemonUp) assert.doesNotMatch(r.stderr, /start-daemons/);
    else assert.match(r.stderr, /^ {2}sudo bash scripts\/start-daemons\.sh$/m);
    assert.match(r.stderr, /done, except \d step\(s\) that need root/);
    assert.match(r.stdout, /Connection\s+qemu:\/\/\/session/, 'phyllo status ran, on a session connection');
  });

  it('the set-up for the tests also names the test-guest build, and fails since the tests need it', () => {
    const r = runAsUser(['bash', 'scripts/setup.sh']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /skipped \(needs root\): building the test guest/);
    assert.match(r.stderr, /^ {2}sudo bash scripts\/build-test-guest\.sh$/m);
    assert.match(
      r.stderr,
      /^ {2}sudo apt-get update && sudo apt-get install -y --no-install-recommends swtpm-tools$/m,
    );
  });
});
