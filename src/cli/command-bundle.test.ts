import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { commandBundle, commandBundleFiles, commandModule } from './command-bundle.js';
import { commands } from './commands.js';
import { resolveCommand, valueOptionSet } from './parse.js';

const valueOptions = valueOptionSet(commands);
const bundles = commandBundleFiles(commands);

test('every command loads one module of src/cli/commands/, and its bundle holds that module', async () => {
  for (const spec of commands) {
    const module = commandModule(spec);
    assert.ok(existsSync(new URL(`./commands/${module}.js`, import.meta.url)), `${spec.name}: ${module}`);
    // what load() returns is the module the name says (vm start takes `start` from vm-power)
    const loaded = await spec.load();
    const imported = await import(`./commands/${module}.js`);
    assert.ok(loaded === imported || Object.values(imported).includes(loaded), spec.name);
  }
  assert.equal(bundles['vm start'], 'phyllo-vm-power.cjs');
  assert.equal(bundles['vm list'], 'phyllo-vm-list.cjs');
});

test('the bundle picked for a line is the one of the command the parser resolves, options anywhere', () => {
  for (const spec of commands) {
    const words = spec.name.split(' ');
    for (const line of [
      [...words, 'arg'],
      ['--connect', 'qemu:///session', ...words, '--json'],
      ['--json', words[0]!, '-c', 'qemu:///system', ...words.slice(1), 'x'],
    ]) {
      const resolved = resolveCommand(line, commands);
      assert.equal(resolved.kind, 'command', line.join(' '));
      assert.equal(
        commandBundle(line, valueOptions, bundles),
        bundles[(resolved as { spec: { name: string } }).spec.name],
        line.join(' '),
      );
    }
  }
});

test('help, a group, a typo, nothing or an object key: the whole CLI', () => {
  for (const line of [
    [],
    ['--help'],
    ['help', 'vm'],
    ['vm'],
    ['vm', 'lst'],
    ['statsu'],
    ['constructor'],
    ['vm', 'constructor'],
    ['__proto__'],
  ])
    assert.equal(commandBundle(line, valueOptions, bundles), undefined, line.join(' '));
});
