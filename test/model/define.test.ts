import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, ErrorCode, LibvirtError, UndefineFlags, type Libvirt } from '../../src/libvirt/index.js';
import { FIXTURES } from './fixtures.js';

const SYSTEM = 'qemu:///system';

const PASST_BACKEND = "<backend type='passt'/>";
/** libvirt's NEWS: "QEMU: support passt" is a new feature of v9.0.0 (2023-01-16). */
const PASST_SINCE = 9_000_000;
/** What a daemon without passt says about the backend (its XML parser has no such value). */
const PASST_REJECTED = /Invalid value for attribute 'type' in element 'backend': 'passt'/;

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
    it(f, async (t) => {
      const name = `phyllo-model-${randomBytes(4).toString('hex')}`;
      const xml = readFileSync(join(dir, f), 'utf8').replace(/<name>[^<]*<\/name>/, `<name>${name}</name>`);
      let defined = xml;
      let passtMissing: string | undefined;
      if (xml.includes(PASST_BACKEND)) {
        const version = await lv.libVersion();
        const rejected = await lv.domains.define(xml).then(
          (dom) => dom.undefine(UndefineFlags.NVRAM | UndefineFlags.TPM).then(() => undefined),
          (err: unknown) => err,
        );
        if (rejected === undefined) {
          assert.ok(version.number >= PASST_SINCE, `libvirt ${versionText(version)} accepted passt`);
        } else {
          // Only a daemon without passt may refuse it, and only for the passt backend: upstream has it
          // since 9.0.0, Debian 12's 9.0.0 is built with it disabled ("Disable-passt-support.patch").
          assert.ok(rejected instanceof LibvirtError, String(rejected));
          assert.equal(rejected.libvirtCode, ErrorCode.XML_ERROR, rejected.message);
          assert.match(rejected.message, PASST_REJECTED);
          passtMissing = `libvirt ${versionText(version)} here has no passt backend${version.number >= PASST_SINCE ? ' (built without it)' : ''}: checked the rest of the file with SLIRP`;
          defined = xml.replace(PASST_BACKEND, '');
        }
      }
      const dom = await lv.domains.define(defined);
      try {
        const back = await dom.xml();
        assert.match(back, new RegExp(`<name>${name}</name>`));
        assert.match(back, /<phyllome:vm xmlns:phyllome=["']https:\/\/phyllo\.me\/xmlns\/vm\/1\.0["']>/);
        assert.match(back, /machine=["']pc-(q35|i440fx)-\d/);
        const type = /<domain type=["'](\w+)["']/.exec(xml)?.[1];
        assert.match(back, new RegExp(`<domain type=["']${type}["']`));
        if (defined.includes(PASST_BACKEND)) assert.match(back, /<backend type=["']passt["']\/>/);
      } finally {
        await dom.undefine(UndefineFlags.NVRAM | UndefineFlags.TPM);
      }
      // Last: node:test reports a test skipped once t.skip() ran, even when an assertion then fails.
      if (passtMissing) t.skip(passtMissing);
    });
});

function versionText(v: { major: number; minor: number; release: number }): string {
  return `${v.major}.${v.minor}.${v.release}`;
}
