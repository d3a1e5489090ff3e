import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FIXTURES } from './fixtures.js';

const run = promisify(execFile);

/** Every golden file must satisfy libvirt's own RelaxNG schema. */
describe('golden XML validates against libvirt’s domain schema (virt-xml-validate)', () => {
  const dir = join(FIXTURES, 'golden');
  const files = readdirSync(dir).filter((f) => f.endsWith('.xml'));
  it('has all first-class profiles × 4 host fixtures', () => assert.ok(files.length >= 36));
  for (const f of files)
    it(f, async () => {
      const { stdout, stderr } = await run('virt-xml-validate', [join(dir, f), 'domain']);
      assert.match(stdout + stderr, /validates/);
    });
});
