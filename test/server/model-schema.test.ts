/**
 * The API's model options (src/server/model-schema.ts) and the CLI's (`modelFlags`, shared by
 * `os explain` and `vm create`) stay the same set: a flag added to one is added to the other, or is
 * named here as one the API leaves out on purpose.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelFlags } from '../../src/cli/commands/os-model-options.js';
import { ModelFields, modelOptionsOf } from '../../src/server/model-schema.js';

/** `session`: the host's URI decides. `serial-log`: a file QEMU would write, anywhere. */
const NOT_OVER_THE_API = ['session', 'serial-log'];

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

test('every model flag of the CLI is a field of the API, but the two left out on purpose', () => {
  const flags = Object.keys(modelFlags).filter((f) => !NOT_OVER_THE_API.includes(f));
  assert.deepEqual(flags.map(camel).sort(), Object.keys(ModelFields).sort());
});

test('modelOptionsOf checks the fields as the CLI checks its flags', () => {
  assert.deepEqual(modelOptionsOf('web', 'linux', { memory: '2G', vcpus: 2, migratable: true }), {
    name: 'web',
    os: 'linux',
    memory: '2G',
    vcpus: 2,
    migratable: true,
  });
  assert.throws(
    () => modelOptionsOf('web', 'linux', { initrd: '/x' }),
    /--initrd and --cmdline need --kernel/,
  );
  assert.throws(() => modelOptionsOf('bad name', 'linux', {}), { code: 'invalid-name' });
  assert.throws(() => modelOptionsOf('web', 'linux', { diskSize: 'huge' }), { code: 'invalid-option' });
});
