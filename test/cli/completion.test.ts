// `phyllo completion bash|zsh|fish`, run in the real shells against the real bin/phyllo: each script
// must offer commands, subcommands, options and enumerated values, and files where an option takes a
// path. The VM names come from the real libvirt daemon (`phyllo __complete vms`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../../src/libvirt/index.js';
import { vmNames } from '../../src/cli/vm-names.js';
import { SYSTEM, removeDomain, tcgDomainXml, uniqueName } from '../libvirt/helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN_DIR = join(ROOT, 'bin');

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'phyllome-completion-'));
  mkdirSync(join(work, 'files'));
  writeFileSync(join(work, 'files', 'win11.iso'), '');
  writeFileSync(join(work, 'files', 'virtio-win.iso'), '');
});
after(() => rmSync(work, { recursive: true, force: true }));

function has(shell: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${shell}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function sh(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      {
        // a hang guard only: a completion that never comes fails the test instead of stalling it
        timeout: 60_000,
        env: {
          ...process.env,
          PATH: `${BIN_DIR}:${process.env.PATH}`,
          XDG_CACHE_HOME: join(work, 'cache'),
          HOME: work,
        },
      },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function script(shell: string): string {
  const file = join(work, `phyllo.${shell}`);
  writeFileSync(file, execFileSync(join(BIN_DIR, 'phyllo'), ['completion', shell], { encoding: 'utf8' }));
  return file;
}

test('bash: COMP_WORDS/COMP_CWORD and the COMP_LINE bash really sets give commands, options, values, files', async () => {
  const file = script('bash');
  const bash = `source ${file}
complete -p phyllo
byWords() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _phyllo; echo "words[$*] -> \${COMPREPLY[*]}"; }
byLine() { COMP_LINE=$1; COMP_POINT=\${#1}; COMPREPLY=(); _phyllo; echo "line[$1] -> \${COMPREPLY[*]}"; unset COMP_LINE; }
byWords phyllo ''
byWords phyllo vm cr
byWords phyllo os ''
byWords phyllo vm create web --disp
byWords phyllo vm create web --display ''
byWords phyllo vm create web --os windows-1
byWords phyllo vm create web --iso ${work}/files/w
byWords phyllo completion ''
byWords phyllo nope ''
byLine 'phyllo --connect qemu:///system st'
byLine 'phyllo --json host '
`;
  const r = await sh('bash', ['-c', bash]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const expect = [
    'complete -F _phyllo phyllo',
    'words[phyllo ] -> status serve completion host os vm usb',
    'words[phyllo vm cr] -> create',
    'words[phyllo os ] -> list show explain',
    'words[phyllo vm create web --disp] -> --display',
    'words[phyllo vm create web --display ] -> spice vnc none',
    'words[phyllo vm create web --os windows-1] -> windows-11 windows-10',
    `words[phyllo vm create web --iso ${work}/files/w] -> ${work}/files/win11.iso`,
    'words[phyllo completion ] -> bash zsh fish',
    'words[phyllo nope ] -> ',
    'line[phyllo --connect qemu:///system st] -> status',
    'line[phyllo --json host ] -> check devices overhead',
  ];
  assert.deepEqual(lines.slice(0, expect.length), expect);
});

test('zsh: the script installed in $fpath, and sourced after compinit, completes in a real zsh line editor', async (t) => {
  if (!has('zsh')) return t.skip('zsh is not installed');
  const fpathDir = join(work, 'zfunc');
  mkdirSync(fpathDir, { recursive: true });
  writeFileSync(join(fpathDir, '_phyllo'), execFileSync(join(BIN_DIR, 'phyllo'), ['completion', 'zsh']));
  const file = script('zsh');
  // Types the line and a TAB into an interactive zsh on a pseudo-terminal; reads until `pattern` shows.
  const driver = join(work, 'drive.zsh');
  writeFileSync(
    driver,
    `zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='> '; $1; autoload -Uz compinit; compinit -u -D; $2"
zpty -w -n z "$3"$'\\t'
zpty -r z out "$4"
print -r -- "$out"
zpty -d z
`,
  );
  // [set-up before compinit, after it, the line typed, what to read up to, what the screen must show]
  const cases: [string, string, string, string, RegExp][] = [
    [`fpath=(${fpathDir} $fpath)`, ':', 'phyllo vm cr', '*create*', /phyllo vm create/],
    [`fpath=(${fpathDir} $fpath)`, ':', 'phyllo vm create web --display ', '*vnc*', /none +spice +vnc/],
    [':', `source ${file}`, 'phyllo --json ho', '*host*', /phyllo --json host/],
    [':', `source ${file}`, 'phyllo os ', '*Every decision*', /explain +-- Every decision/],
  ];
  for (const [setup, after, line, pattern, expect] of cases) {
    const r = await sh('zsh', ['-f', driver, setup, after, line, pattern]);
    // eslint-disable-next-line no-control-regex
    const screen = r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]|[\r\b]/g, '');
    assert.equal(r.code, 0, `${line}: ${r.stderr}`);
    assert.match(screen, expect, line);
  }
});

test('fish: complete -C runs the script for a command line', async (t) => {
  if (!has('fish')) return t.skip('fish is not installed');
  const file = script('fish');
  const r = await sh('fish', [
    '-c',
    `source ${file}
complete -C 'phyllo vm cr'; echo ==
complete -C 'phyllo vm create web --display '; echo ==
complete -C 'phyllo --connect qemu:///system os sh'; echo ==
complete -C 'phyllo vm create web --iso ${work}/files/v'`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const [create, display, show, iso] = r.stdout.split('==\n');
  assert.match(create!, /^create\tCreate a VM/);
  assert.deepEqual(display!.trim().split('\n').sort(), ['none', 'spice', 'vnc']);
  assert.match(show!, /^show\tWhat Phyllome knows/);
  assert.equal(iso!.trim(), `${work}/files/virtio-win.iso`);
});

test('phyllo __complete vms lists the domains on the connection, and nothing (exit 0) when it cannot', async () => {
  const name = uniqueName('complete');
  const lv = await connect(SYSTEM);
  try {
    await lv.domains.define(tcgDomainXml(name));
    const r = await sh(join(BIN_DIR, 'phyllo'), ['__complete', 'vms', '--connect', SYSTEM]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.split('\n').includes(name), r.stdout);
    assert.ok((await vmNames(SYSTEM)).includes(name));
  } finally {
    await removeDomain(lv, name);
    await lv.close();
  }
  // nothing listens on port 1: no names, no error
  const down = await sh(join(BIN_DIR, 'phyllo'), [
    '__complete',
    'vms',
    '--connect',
    'qemu+tcp://127.0.0.1:1/system',
  ]);
  assert.equal(down.code, 0, down.stderr);
  assert.equal(down.stdout, '');
  assert.equal(down.stderr, '');
});
