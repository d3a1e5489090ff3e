import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, UndefineFlags, type Libvirt } from '../../src/libvirt/index.js';
import { FIXTURES } from './fixtures.js';

const SYSTEM = 'qemu:///system';

/** Every golden XML (profile × host fixture) defines on the real system daemon, then is undefined. */
describe('golden XML defines on qemu:///system', () => {
  let lv: Libvirt;
  before(async () => {
    lv = await connect(SYSTEM);
  });
  after(async () => {
    await lv?.close();
  });
  const dir = join(FIXTURES, 'golden');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.xml')))
    it(f, async () => {
      const name = `phyllo-model-${randomBytes(4).toString('hex')}`;
      const xml = readFileSync(join(dir, f), 'utf8').replace(/<name>[^<]*<\/name>/, `<name>${name}</name>`);
      const dom = await lv.domains.define(xml);
      try {
        const back = await dom.xml();
        assert.match(back, new RegExp(`<name>${name}</name>`));
        assert.match(back, /<phyllome:vm xmlns:phyllome=["']https:\/\/phyllo\.me\/xmlns\/vm\/1\.0["']>/);
        assert.match(back, /machine=["']pc-(q35|i440fx)-\d/);
        const type = /<domain type=["'](\w+)["']/.exec(xml)?.[1];
        assert.match(back, new RegExp(`<domain type=["']${type}["']`));
      } finally {
        await dom.undefine(UndefineFlags.NVRAM | UndefineFlags.TPM);
      }
    });
});
