import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, UndefineFlags, type Libvirt } from '../../src/libvirt/index.js';
import { FIXTURES } from './fixtures.js';

const SYSTEM = 'qemu:///system';

/** The kvm-intel-render fixture describes a newer libvirt that accepts passt; 9.0 (Debian 12) rejects it. */
function passtUnsupported(file: string): string | false {
  const xml = readFileSync(join(FIXTURES, 'golden', file), 'utf8');
  return xml.includes("<backend type='passt'/>")
    ? 'this daemon may predate the passt backend (libvirt 9.0 rejects it)'
    : false;
}

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
    it(f, { skip: passtUnsupported(f) }, async () => {
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
