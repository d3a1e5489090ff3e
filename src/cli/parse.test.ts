import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandSpec } from './command.js';
import { commands } from './commands.js';
import { parseArgs } from 'node:util';
import { optionsOf, parseCommandLine, plainLine, usageLine, valueOptionNames } from './parse.js';
import { UsageError } from './usage-error.js';

const parse = (line: string[]) => parseCommandLine(line, commands);

function run(line: string[]) {
  const p = parse(line);
  assert.equal(p.kind, 'run', line.join(' '));
  return p as Extract<typeof p, { kind: 'run' }>;
}

/** The UsageError a line raises. */
function refused(line: string[]): UsageError {
  try {
    parse(line);
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    assert.ok(err.hint, `a hint for ${line.join(' ')}`);
    return err;
  }
  assert.fail(`${line.join(' ')} was accepted`);
}

test('global flags stand before or after the command: --connect URI status, --json status, status --json', () => {
  for (const line of [
    ['--connect', 'qemu:///session', 'status'],
    ['-c', 'qemu:///session', 'status'],
    ['--connect=qemu:///session', 'status'],
    ['status', '--connect', 'qemu:///session'],
  ]) {
    const p = run(line);
    assert.equal(p.spec.name, 'status');
    assert.equal(p.values.connect, 'qemu:///session', line.join(' '));
    assert.deepEqual(p.positionals, []);
  }
  for (const line of [
    ['--json', 'status'],
    ['status', '--json'],
    ['--json', 'host', 'check'],
    ['host', '--json', 'check'],
  ]) {
    const p = run(line);
    assert.equal(p.json, true, line.join(' '));
    assert.equal(p.values.json, true);
  }
  const create = run(['--connect', 'qemu:///session', 'vm', 'create', 'web', '--os', 'linux', '--json']);
  assert.equal(create.spec.name, 'vm create');
  assert.deepEqual(create.positionals, ['web']);
  assert.equal(create.values.os, 'linux');
  assert.equal(create.values.connect, 'qemu:///session');
});

test('an option value is never taken for a command word, even one that looks like a command', () => {
  const p = run(['--root', 'status', 'host', 'check']);
  assert.equal(p.spec.name, 'host check');
  assert.equal(p.values.root, 'status');
});

test('a group word alone, or with --help, lists its subcommands; phyllo alone and --help list everything', () => {
  for (const g of ['vm', 'host', 'os']) {
    assert.deepEqual(parse([g]), { kind: 'group-help', group: g, json: false });
    assert.deepEqual(parse([g, '--help']), { kind: 'group-help', group: g, json: false });
  }
  assert.deepEqual(parse([]), { kind: 'top-help', json: false });
  assert.deepEqual(parse(['--help']), { kind: 'top-help', json: false });
  assert.deepEqual(parse(['-h', '--json']), { kind: 'top-help', json: true });
  assert.deepEqual(parse(['help']), { kind: 'top-help', json: false });
});

test('--help (anywhere) and `help COMMAND` ask for the command’s help, without its required arguments', () => {
  for (const line of [
    ['vm', 'create', '--help'],
    ['--help', 'vm', 'create'],
    ['vm', 'create', '-h'],
    ['help', 'vm', 'create'],
  ]) {
    const p = parse(line);
    assert.equal(p.kind, 'help', line.join(' '));
    assert.equal((p as { spec: CommandSpec }).spec.name, 'vm create');
  }
  assert.deepEqual(parse(['help', 'os']), { kind: 'group-help', group: 'os', json: false });
});

test('an unknown command is an error, with --help too, and the hint names what exists', () => {
  const sub = refused(['vm', 'frobnicate', '--help']);
  assert.equal(sub.code, 'unknown-command');
  assert.match(sub.message, /phyllo vm frobnicate/);
  assert.match(sub.hint ?? '', /has: create/);
  const top = refused(['stauts']);
  assert.equal(top.code, 'unknown-command');
  assert.match(top.hint ?? '', /Did you mean `phyllo status`\?/);
  assert.equal(refused(['frobnicate', '--help']).code, 'unknown-command');
  assert.equal(refused(['help', 'vm', 'nope']).code, 'unknown-command');
  // hidden from --help, but it exists
  assert.equal(run(['__complete', 'vms']).spec.name, '__complete');
});

test('unknown options are refused, naming the option and the command', () => {
  const e = refused(['os', 'list', '--bogus']);
  assert.equal(e.code, 'unknown-option');
  assert.match(e.message, /`phyllo os list` has no option --bogus/);
  assert.match(e.hint ?? '', /phyllo os list --help/);
  // an option of another command is still unknown here
  assert.equal(refused(['host', 'check', '--connect', 'qemu:///system']).code, 'unknown-option');
  assert.equal(refused(['--bogus']).code, 'unknown-option');
  assert.equal(refused(['vm', '--bogus']).code, 'unknown-option');
  assert.equal(refused(['os', 'list', '-x']).code, 'unknown-option');
});

test('a missing option value is refused: at the end, or followed by another option', () => {
  const last = refused(['vm', 'create', 'web', '--os']);
  assert.equal(last.code, 'missing-value');
  assert.match(last.message, /--os needs a value \(ID\)/);
  const next = refused(['vm', 'create', 'web', '--os', '--memory', '2G']);
  assert.equal(next.code, 'missing-value');
  assert.match(next.message, /the next word is the option --memory/);
  assert.match(next.hint ?? '', /--os=VALUE/);
  // written with =, a value may start with "-"
  assert.equal(run(['vm', 'create', 'web', '--os', 'linux', '--cmdline=-quiet']).values.cmdline, '-quiet');
  assert.equal(refused(['status', '--connect']).code, 'missing-value');
});

test('a flag given a value, and a value outside an option’s choices, are refused', () => {
  assert.equal(refused(['status', '--json=yes']).code, 'invalid-value');
  const d = refused(['vm', 'create', 'web', '--os', 'linux', '--display', 'rdp']);
  assert.equal(d.code, 'invalid-value');
  assert.match(d.message, /--display must be one of spice, vnc, none, not "rdp"/);
  assert.equal(run(['vm', 'create', 'web', '--os', 'linux', '--display=vnc']).values.display, 'vnc');
  const shell = refused(['completion', 'tcsh']);
  assert.equal(shell.code, 'invalid-value');
  assert.match(shell.message, /SHELL must be one of bash, zsh, fish/);
});

test('positionals are checked against what the command declares', () => {
  const extra = refused(['vm', 'create', 'my', 'vm', '--os', 'linux']);
  assert.equal(extra.code, 'extra-argument');
  assert.match(extra.message, /takes one argument \(NAME\), but was also given "vm"/);
  assert.match(extra.hint ?? '', /quotes/);
  assert.deepEqual(run(['vm', 'create', 'my vm', '--os', 'linux']).positionals, ['my vm']);
  const none = refused(['status', 'now']);
  assert.equal(none.code, 'extra-argument');
  assert.match(none.message, /takes no arguments/);
  const missing = refused(['os', 'show']);
  assert.equal(missing.code, 'missing-argument');
  assert.match(missing.message, /`phyllo os show` needs ID/);
  assert.match(missing.hint ?? '', /Usage: phyllo os show ID \[options\]/);
  assert.equal(refused(['vm', 'create', '--os', 'linux']).code, 'missing-argument');
  // after --, words are arguments even when they look like options
  assert.deepEqual(run(['__complete', 'words', '--', 'vm', '--os', '']).positionals, [
    'words',
    'vm',
    '--os',
    '',
  ]);
});

test('every command declares its arguments, an example, and help text for each option', () => {
  for (const c of commands) {
    assert.ok(c.examples.length > 0, c.name);
    for (const e of c.examples) {
      // every example is a command line the parser accepts for this very command
      const argv = e.split(' > ')[0]!.split(' ').slice(1);
      assert.equal(e.split(' ')[0], 'phyllo', e);
      assert.equal(run(argv).spec.name, c.name, e);
    }
    for (const [name, o] of Object.entries(c.options ?? {})) {
      assert.ok(o.description, `${c.name} --${name}`);
      if (o.type === 'string') assert.ok(o.value || o.choices, `${c.name} --${name} names its value`);
    }
    c.positionals.forEach((p, i) => {
      assert.match(p.name, /^[A-Z]+$/, `${c.name} ${p.name}`);
      if (p.variadic) assert.equal(i, c.positionals.length - 1, `${c.name}: only the last is variadic`);
    });
    assert.match(usageLine(c), new RegExp(`^phyllo ${c.name}`));
  }
});

test('one option name means one thing in every command (the starter and the word finder rely on it)', () => {
  const seen = new Map<string, string>();
  for (const c of commands)
    for (const [name, o] of Object.entries(c.options ?? {})) {
      const shape = `${o.type}/${o.short ?? ''}`;
      assert.equal(seen.get(name) ?? shape, shape, `--${name} in ${c.name}`);
      seen.set(name, shape);
    }
  assert.ok(valueOptionNames(commands).includes('-c'));
  assert.ok(valueOptionNames(commands).includes('--os'));
  assert.ok(!valueOptionNames(commands).includes('--json'));
});

test('a line of plain words and flags is read without parseArgs, exactly as parseArgs reads it', () => {
  const spec = commands.find((c) => c.name === 'vm create')!;
  const options = optionsOf(spec);
  const config = Object.fromEntries(
    Object.entries(options).map(([n, o]) => [n, { type: o.type, ...(o.short ? { short: o.short } : {}) }]),
  );
  for (const args of [[], ['web'], ['web', '--json', '-h'], ['--print-xml', 'a', 'b'], ['-']]) {
    const plain = plainLine(args, options);
    assert.ok(plain, args.join(' '));
    const ref = parseArgs({ args, options: config, allowPositionals: true, strict: true });
    assert.deepEqual(plain, { values: { ...ref.values }, positionals: ref.positionals }, args.join(' '));
  }
  for (const args of [
    ['--os', 'x'],
    ['--os=x'],
    ['--'],
    ['--bogus'],
    ['-x'],
    ['--json=1'],
    ['--constructor'],
  ])
    assert.equal(plainLine(args, options), undefined, args.join(' '));
  assert.equal(refused(['status', '--constructor']).code, 'unknown-option');
});

test('a `multiple` option keeps every value, in order', () => {
  const table: CommandSpec[] = [
    {
      name: 'vm attach',
      summary: 'Attach disks',
      options: { disk: { type: 'string', value: 'PATH', multiple: true, description: 'A disk' } },
      positionals: [{ name: 'NAME', required: true, description: 'the VM' }],
      examples: ['phyllo vm attach web --disk a.qcow2'],
      load: async () => ({ run: async () => ({ data: null, human: () => '' }) }),
    },
  ];
  const p = parseCommandLine(['vm', 'attach', 'web', '--disk', 'a', '--disk=b'], table);
  assert.equal(p.kind, 'run');
  assert.deepEqual((p as Extract<typeof p, { kind: 'run' }>).values.disk, ['a', 'b']);
});
