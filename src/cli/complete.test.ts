import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandSpec } from './command.js';
import { commands } from './commands.js';
import { complete, completionLines, connectOf, type Completion } from './complete.js';

const asked: (string | undefined)[] = [];
const deps = {
  vmNames: async (uri: string | undefined) => {
    asked.push(uri);
    return ['db', 'web'];
  },
  osIds: () => [
    { value: 'linux', description: 'Linux' },
    { value: 'windows-11', description: 'Windows 11' },
  ],
};

/** `vm start` with an extra option that takes an existing VM, too. */
const table: CommandSpec[] = [
  ...commands.filter((c) => c.name !== 'vm start'),
  {
    name: 'vm start',
    summary: 'Start a VM',
    options: {
      connect: commands[0]!.options!.connect!,
      after: { type: 'string', value: 'VM', description: 'Once this VM runs', complete: 'vm' },
    },
    positionals: [{ name: 'NAME', required: true, description: 'an existing VM', complete: 'vm' }],
    examples: ['phyllo vm start web'],
    load: async () => ({ run: async () => ({ data: null, human: () => '' }) }),
  },
];

/** The vm subcommands, in table order (other lifecycle commands join as they are added). */
const vmSubcommands = table.filter((c) => c.name.startsWith('vm ')).map((c) => c.name.slice(3));

async function values(words: string[]): Promise<string[]> {
  const c = await complete(words, table, deps);
  assert.equal(c.kind, 'words', words.join(' '));
  return (c as Extract<Completion, { kind: 'words' }>).candidates.map((x) => x.value);
}

test('commands, groups and subcommands', async () => {
  assert.deepEqual(await values(['']), ['status', 'serve', 'completion', 'host', 'os', 'vm', 'usb']);
  assert.deepEqual(await values(['s']), ['status', 'serve']);
  assert.deepEqual(await values(['vm', '']), vmSubcommands);
  assert.ok(vmSubcommands.includes('create') && vmSubcommands.includes('start'));
  assert.deepEqual(await values(['os', 'e']), ['explain']);
  assert.deepEqual(await values(['--json', 'host', '']), ['check', 'devices', 'overhead']);
  assert.deepEqual(await values(['help', 'vm', '']), vmSubcommands);
  assert.deepEqual(await values(['nope', '']), [], 'nothing for a line the parser refuses');
});

test('options of the command, with enumerated values', async () => {
  const opts = await values(['vm', 'create', 'web', '--d']);
  assert.deepEqual(opts, ['--disk-size', '--disk-image', '--drivers', '--display']);
  assert.deepEqual(await values(['vm', 'create', 'web', '--display', '']), ['spice', 'vnc', 'none']);
  assert.deepEqual(await values(['vm', 'create', 'web', '--display', '=', 'v']), ['vnc'], 'bash splits at =');
  assert.deepEqual(await values(['completion', '']), ['bash', 'zsh', 'fish']);
  assert.ok(
    !(await values(['status', '--json', '--'])).includes('--json'),
    'a given option is not offered again',
  );
  assert.deepEqual(await values(['--']), ['--json', '--help', '--connect', '--version']);
  assert.deepEqual(await values(['vm', '--']), ['--json', '--help', '--connect']);
  assert.deepEqual(await values(['status', '--connect', '']), [], 'a URI is typed, not listed');
  assert.deepEqual(await values(['-c', '']), [], 'nor after -c');
});

test('OS ids, files and directories where an argument takes them', async () => {
  assert.deepEqual(await values(['vm', 'create', 'web', '--os', 'w']), ['windows-11']);
  assert.deepEqual(await values(['os', 'show', '']), ['linux', 'windows-11']);
  assert.deepEqual(await complete(['vm', 'create', 'web', '--iso', ''], table, deps), { kind: 'files' });
  assert.deepEqual(await complete(['host', 'check', '--root', '/t'], table, deps), { kind: 'dirs' });
  assert.deepEqual(await values(['vm', 'create', '']), [], 'a new name is not completed');
  assert.deepEqual(await values(['os', 'show', 'linux', '']), [], 'no second argument');
});

test('an existing VM’s name comes from the connection named on the line', async () => {
  asked.length = 0;
  assert.deepEqual(await values(['vm', 'start', '']), ['db', 'web']);
  assert.deepEqual(await values(['--connect', 'qemu:///session', 'vm', 'start', 'w']), ['web']);
  assert.deepEqual(await values(['vm', 'start', 'web', '-c', 'qemu:///system', '--after', 'd']), ['db']);
  assert.deepEqual(asked, [undefined, 'qemu:///session', 'qemu:///system']);
  assert.equal(connectOf(['-c', 'a', 'x']), 'a');
  assert.equal(connectOf(['--connect=b']), 'b');
});

test('the protocol the scripts read: the kind, then value<TAB>description lines', () => {
  assert.equal(
    completionLines({
      kind: 'words',
      candidates: [{ value: 'vnc' }, { value: 'os', description: 'list, show' }],
    }),
    'words\nvnc\nos\tlist, show',
  );
  assert.equal(completionLines({ kind: 'files' }), 'files');
});
