import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OsinfoDb } from './osinfo.js';
import { matchMedia, mediaRulesOf, parseVolumeDescriptor, type MediumIdentity } from './osinfo-media.js';
import { pvd } from '../../test/support/iso-image.js';
import { parseXml } from '../xml/parse.js';
import { childrenNamed, textOf } from '../xml/node.js';

const medium = (volumeId: string, more: Partial<MediumIdentity> = {}): MediumIdentity => ({
  volumeId,
  systemId: 'LINUX',
  publisherId: '',
  applicationId: '',
  volumeSize: 1 << 30,
  ...more,
});

describe('the ISO 9660 primary volume descriptor', () => {
  it('reads the ids without their padding, and the size', () => {
    const id = parseVolumeDescriptor(
      pvd({
        volumeId: 'CCCOMA_X64FRE_EN-US_DV9',
        publisherId: 'MICROSOFT CORPORATION',
        volumeSize: 2048 * 5,
      }),
    );
    assert.deepEqual(id, {
      systemId: '',
      volumeId: 'CCCOMA_X64FRE_EN-US_DV9',
      publisherId: 'MICROSOFT CORPORATION',
      applicationId: '',
      volumeSize: 2048 * 5,
    });
  });
  it('is not one without the CD001 signature, or when short', () => {
    const b = pvd({ volumeId: 'X' });
    b.write('BEA01', 1, 'latin1');
    assert.equal(parseVolumeDescriptor(b), undefined);
    assert.equal(parseVolumeDescriptor(pvd({ volumeId: 'X' }).subarray(0, 100)), undefined);
  });
});

describe('matching media as libosinfo does', () => {
  const xml = parseXml(
    `<libosinfo>
      <os id="http://example.org/a/1"><short-id>a1</short-id><name>A 1</name><release-date>2020-01-01</release-date>
        <media arch="x86_64"><iso><volume-id>^A_X64_</volume-id><publisher-id>ACME</publisher-id></iso></media>
        <media arch="aarch64"><iso><volume-id>^A_ARM_</volume-id></iso></media>
        <media arch="x86_64"><iso><volume-id>^A_SIZED</volume-id><volume-size>4096</volume-size></iso></media>
      </os>
      <os id="http://example.org/a/2"><short-id>a2</short-id><name>A 2</name><release-date>2022-01-01</release-date>
        <media arch="x86_64"><iso><volume-id>^A_X64_</volume-id><publisher-id>ACME</publisher-id></iso></media>
      </os>
      <os id="http://example.org/a/next"><short-id>anext</short-id><name>A next</name>
        <release-status>rolling</release-status>
        <media arch="all"><iso><volume-id>^A_</volume-id></iso></media>
      </os>
    </libosinfo>`,
    'test',
  );
  const rules = childrenNamed(xml, 'os').flatMap((os) =>
    mediaRulesOf(os, {
      shortId: textOf(os, 'short-id') ?? '',
      name: textOf(os, 'name') ?? '',
      ...(textOf(os, 'release-date') ? { releaseDate: textOf(os, 'release-date') as string } : {}),
    }),
  );
  const ids = (m: MediumIdentity): string[] => matchMedia(rules, m).map((x) => x.rule.shortId);

  it('needs every given pattern to match, newest release first', () => {
    assert.deepEqual(ids(medium('A_X64_EN', { publisherId: 'ACME CORP' })), ['a2', 'a1']);
    assert.deepEqual(ids(medium('A_X64_EN', { publisherId: 'OTHER' })), ['anext'], 'publisher differs');
  });
  it('skips media of other architectures, and compares the size when given', () => {
    assert.deepEqual(ids(medium('A_ARM_1')), ['anext']);
    assert.deepEqual(ids(medium('A_SIZED', { volumeSize: 4096 })), ['a1']);
    assert.deepEqual(ids(medium('A_SIZED', { volumeSize: 8192 })), ['anext']);
  });
  it('uses rolling and pre-release entries only when nothing else matches, and may match nothing', () => {
    assert.deepEqual(ids(medium('A_OTHER')), ['anext']);
    assert.deepEqual(ids(medium('B_X64_')), []);
  });
});

describe('real media against the installed osinfo-db (/usr/share/osinfo)', () => {
  const db = new OsinfoDb();
  const rules = db.available() ? db.mediaRules() : [];
  const first = (m: MediumIdentity): string[] => matchMedia(rules, m).map((x) => x.rule.shortId);

  it('has the database (the setup installs osinfo-db)', () => {
    assert.ok(rules.length > 100, 'osinfo-db is not installed under /usr/share/osinfo');
  });
  it('Ubuntu Server 22.04.3 is ubuntu22.04', () => {
    assert.deepEqual(first(medium('Ubuntu-Server 22.04.3 LTS amd64')), ['ubuntu22.04']);
  });
  it('Debian 11.7 is debian11', () => {
    assert.deepEqual(first(medium('Debian 11.7.0 amd64 n')), ['debian11']);
  });
  it('Windows 11 carries the same ids as Windows 10: both match, Windows 11 first', () => {
    const m = medium('CCCOMA_X64FRE_EN-US_DV9', { systemId: '', publisherId: 'MICROSOFT CORPORATION' });
    assert.deepEqual(first(m), ['win11', 'win10']);
    assert.deepEqual(
      first({ ...m, publisherId: 'SOMEONE ELSE' }),
      [],
      'the publisher id is part of the rule',
    );
  });
  it('Fedora 38 is newer than this osinfo-db: its pre-release "unknown" entry matches', () => {
    const m = matchMedia(rules, medium('Fedora-WS-Live-38-1-6'));
    assert.deepEqual(
      m.map((x) => [x.rule.shortId, x.rule.fallback]),
      [['fedora-unknown', true]],
    );
  });
  it('Debian 12 is newer than this osinfo-db (20221203): nothing matches', () => {
    assert.deepEqual(first(medium('Debian 12.2.0 amd64 n')), []);
  });
});
