import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FIXTURES } from './fixtures.js';
import { goldenCases } from './golden-cases.js';

const run = promisify(execFile);
const GOLDEN = join(FIXTURES, 'golden');

/** Every golden file must satisfy libvirt's own RelaxNG schema. */
describe('golden XML validates against libvirt’s domain schema (virt-xml-validate)', () => {
  const files = goldenCases().map((c) => c.file);
  it('the golden directory holds exactly one file per golden case (every profile × host fixture, and the variants)', () =>
    assert.deepEqual(
      readdirSync(GOLDEN)
        .filter((f) => f.endsWith('.xml'))
        .sort(),
      [...files].sort(),
    ));
  for (const f of files)
    it(f, async () => {
      const path = join(GOLDEN, f);
      // virt-xml-validate exits non-zero (the promise rejects) and prints "fails to validate" on a schema error.
      const { stdout, stderr } = await run('virt-xml-validate', [path, 'domain']);
      assert.equal((stdout + stderr).trim(), `${path} validates`);
    });
});
