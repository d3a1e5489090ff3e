import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commands } from './commands.js';
import { commandHelp, groupHelp, renderHelp, topHelp } from './help.js';

const spec = (name: string) => commands.find((c) => c.name === name)!;

test('a command’s help shows each option with its value name, default and description, and examples', () => {
  const text = renderHelp(commandHelp(spec('vm create')));
  assert.match(text, /^Usage: phyllo vm create NAME \[options\]\n/);
  assert.match(
    text,
    /\n {6}--memory SIZE +Guest memory: 4G, 4096M, 1\.5GiB, 4GB \(powers of ten\) or 4096 \(MiB\); at least 1 MiB \(default: the OS's recommended memory\)\n/,
  );
  assert.match(
    text,
    /\n {6}--display spice\|vnc\|none +Graphical console \(default: vnc \(on a UNIX socket here, loopback on a remote host\)\)\n/,
  );
  assert.match(text, /\n {2}-c, --connect URI +The libvirt daemon/);
  assert.match(text, /\n {6}--json +Print one JSON document/);
  assert.match(text, /\nArguments:\n {2}NAME +The new VM’s name/);
  assert.match(text, /\nExamples:\n {2}phyllo vm create win11 --os windows-11/);
});

test('every command’s help has every option on a line of its own, and at least one example', () => {
  for (const c of commands) {
    const doc = commandHelp(c);
    const text = renderHelp(doc);
    for (const [name, o] of Object.entries(c.options ?? {})) {
      const value = o.type === 'string' ? ` ${o.choices ? o.choices.join('|') : o.value}` : '';
      const line = text
        .split('\n')
        .find(
          (l) => /^ {2}(-\w, | {4})--/.test(l) && l.slice(6).split('  ')[0]!.trim() === `--${name}${value}`,
        );
      assert.ok(line, `${c.name}: --${name}${value}`);
      assert.ok(line.includes(o.description), `${c.name} --${name}: description`);
      // what happens without it, unless it is a required one
      if (!o.description.endsWith('(required)')) assert.ok(o.default, `${c.name} --${name} has a default`);
      if (o.default) assert.ok(line.includes(`(default: ${o.default})`), `${c.name} --${name}: default`);
    }
    assert.match(text, /\nExamples:\n {2}phyllo /, c.name);
  }
});

test('phyllo --help lists the commands (not the hidden one); a group lists its own', () => {
  const top = renderHelp(topHelp(commands));
  for (const c of commands.filter((x) => !x.hidden))
    assert.ok(
      top.split('\n').some((l) => l.startsWith(`  ${c.name} `) && l.endsWith(` ${c.summary}`)),
      c.name,
    );
  assert.doesNotMatch(top, /__complete/);
  const vm = groupHelp(commands, 'vm');
  assert.deepEqual(
    vm.commands?.map((c) => c.name),
    commands.filter((c) => c.name.startsWith('vm ')).map((c) => c.name),
  );
  assert.match(renderHelp(groupHelp(commands, 'host')), /\n {2}host check +Can this computer/);
});
