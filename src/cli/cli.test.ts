import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { runCli } from './cli.js';
import type { CommandContext, CommandSpec } from './command.js';
import { commands } from './commands.js';
import { InvalidInputError } from '../errors.js';

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function cli(argv: string[], table: CommandSpec[] = commands) {
  const out = sink();
  const err = sink();
  const code = await runCli(argv, table, { stdout: out.stream, stderr: err.stream, isTTY: false });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** A table with one command that records what it was given. */
function recording(fail?: Error) {
  const seen: CommandContext[] = [];
  const table: CommandSpec[] = [
    {
      name: 'vm start',
      summary: 'Start a VM',
      options: { connect: { type: 'string', value: 'URI', description: 'libvirt' } },
      positionals: [{ name: 'NAME', required: true, description: 'an existing VM', complete: 'vm' }],
      examples: ['phyllo vm start web'],
      load: async () => ({
        run: async (ctx) => {
          seen.push(ctx);
          if (fail) throw fail;
          return { data: { started: ctx.positionals[0] }, human: () => `Started ${ctx.positionals[0]}.` };
        },
      }),
    },
  ];
  return { table, seen };
}

test('a command gets ctx.values and ctx.positionals as before, with global flags before the command', async () => {
  const { table, seen } = recording();
  const r = await cli(['--json', '--connect', 'qemu:///session', 'vm', 'start', 'web'], table);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { started: 'web' });
  assert.deepEqual(seen[0]!.positionals, ['web']);
  assert.equal(seen[0]!.values.connect, 'qemu:///session');
  assert.equal(seen[0]!.json, true);
  const human = await cli(['vm', 'start', 'web'], table);
  assert.equal(human.stdout, 'Started web.\n');
});

test('a usage error is {"error":{code,message,hint}} on stdout with --json (anywhere), else message and hint on stderr', async () => {
  const { table, seen } = recording();
  const j = await cli(['vm', 'start', '--json'], table);
  assert.equal(j.code, 1);
  assert.deepEqual(Object.keys(JSON.parse(j.stdout).error), ['code', 'message', 'hint']);
  assert.equal(JSON.parse(j.stdout).error.code, 'missing-argument');
  assert.equal(j.stderr, '');
  const h = await cli(['vm', 'start', 'a', 'b'], table);
  assert.equal(h.code, 1);
  assert.equal(h.stdout, '');
  assert.match(
    h.stderr,
    /^error: `phyllo vm start` takes one argument \(NAME\), but was also given "b"\nhint: /,
  );
  assert.equal(seen.length, 0, 'the command never ran');
});

test('an unknown command with --help is an error, not the global usage', async () => {
  const r = await cli(['vm', 'frobnicate', '--help']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error: Unknown command: phyllo vm frobnicate\n/);
  const j = await cli(['--json', 'nope']);
  assert.equal(JSON.parse(j.stdout).error.code, 'unknown-command');
});

test('help is printed on stdout with exit 0, and with --json as one JSON document', async () => {
  const group = await cli(['vm']);
  assert.equal(group.code, 0);
  assert.match(group.stdout, /^Usage: phyllo vm COMMAND/);
  assert.match(group.stdout, /\n {2}vm create +Create a VM/);
  const doc = JSON.parse((await cli(['os', 'explain', '--help', '--json'])).stdout);
  assert.equal(doc.usage, 'phyllo os explain ID [options]');
  assert.deepEqual(
    doc.options.find((o: { name: string }) => o.name === '--display'),
    {
      name: '--display',
      value: 'spice|vnc|none',
      default: 'vnc (on a UNIX socket here, loopback on a remote host)',
      description: 'Graphical console',
      choices: ['spice', 'vnc', 'none'],
    },
  );
  const top = JSON.parse((await cli(['--json'])).stdout);
  assert.ok(top.commands.some((c: { name: string }) => c.name === 'vm create'));
});

test('errors the command raises keep their code and hint', async () => {
  const { table } = recording(new InvalidInputError('No such VM', { hint: 'Run phyllo vm list.' }));
  const r = await cli(['vm', 'start', 'x', '--json'], table);
  assert.equal(r.code, 1);
  assert.deepEqual(JSON.parse(r.stdout), {
    error: { code: 'invalid-input', message: 'No such VM', hint: 'Run phyllo vm list.' },
  });
});

test('phyllo --version prints the package version (also as JSON); with a command it is unknown', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
  assert.equal((await cli(['--version'])).stdout, `phyllo ${version}\n`);
  assert.deepEqual(JSON.parse((await cli(['--version', '--json'])).stdout), { version });
  const r = await cli(['status', '--version', '--json']);
  assert.equal(JSON.parse(r.stdout).error.code, 'unknown-option');
});
