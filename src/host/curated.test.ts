import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CURATED_FILE,
  curatedEntryProblems,
  loadCurated,
  matchCurated,
  type CuratedEntry,
} from './curated.js';
import type { DmiFacts } from './dmi.js';

const dmi = (fields: Partial<DmiFacts>): DmiFacts =>
  ({ sysVendor: null, productName: null, ...fields }) as DmiFacts;

const WHOLE: CuratedEntry = {
  id: 'x',
  match: { sysVendor: 'Acme' },
  rating: 'good',
  notes: ['a note'],
  sources: [{ title: 'A page', url: 'https://example.org/page' }],
};

describe('curated hardware list', () => {
  it('the shipped file validates: every entry has an id, match, rating, notes and a source URL', () => {
    const raw = JSON.parse(readFileSync(CURATED_FILE, 'utf8')) as { entries: unknown[] };
    assert.ok(raw.entries.length >= 5, `only ${raw.entries.length} entries`);
    assert.deepEqual(
      raw.entries.flatMap((e, i) => curatedEntryProblems(e, i)),
      [],
    );
    assert.equal(loadCurated().length, raw.entries.length, 'every shipped entry loads');
    const ids = raw.entries.map((e) => (e as CuratedEntry).id);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  });

  it('the shipped file holds no test fixture', () => {
    const text = readFileSync(CURATED_FILE, 'utf8');
    assert.doesNotMatch(text, /fixture|Phyllome Test|Demo Laptop/i);
  });

  it('finds what is missing from an entry', () => {
    assert.deepEqual(curatedEntryProblems(WHOLE, 0), []);
    const { sources: _s, ...noSources } = WHOLE;
    assert.deepEqual(curatedEntryProblems(noSources, 0), ['x: no source']);
    assert.deepEqual(curatedEntryProblems({ ...WHOLE, sources: [{ title: 'T', url: 'not a url' }] }, 0), [
      'x: source url not a url is not an http(s) URL',
    ]);
    assert.deepEqual(curatedEntryProblems({ ...WHOLE, match: {} }, 0), ['x: match names no DMI field']);
    assert.deepEqual(curatedEntryProblems({ ...WHOLE, rating: 'great', notes: [] }, 0), [
      'x: rating must be good, mixed, bad',
      'x: notes must be a non-empty list of texts',
    ]);
    assert.deepEqual(curatedEntryProblems({ ...WHOLE, exact: { colour: 'red' } }, 0), [
      'x: exact.colour is not one of sysVendor, productName, productVersion, boardName',
    ]);
  });

  it('leaves out entries that are not whole, and reads a missing file as an empty list', () => {
    const dir = mkdtempSync(join(tmpdir(), 'phyllome-curated-'));
    try {
      const file = join(dir, 'list.json');
      writeFileSync(file, JSON.stringify({ entries: [WHOLE, { ...WHOLE, id: 'y', sources: [] }] }));
      assert.deepEqual(
        loadCurated(file).map((e) => e.id),
        ['x'],
      );
      assert.deepEqual(loadCurated(join(dir, 'does-not-exist.json')), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('matches on DMI substrings, and on exact names where a name is a prefix of others', () => {
    const list = loadCurated();
    const t480 = dmi({ sysVendor: 'LENOVO', productName: '20L5CTO1WW', productVersion: 'ThinkPad T480' });
    assert.equal(matchCurated(t480, list)?.id, 'thinkpad-t480');
    assert.equal(
      matchCurated(dmi({ sysVendor: 'Framework', productName: 'Laptop' }), list)?.id,
      'framework-laptop-11th-gen',
    );
    assert.equal(
      matchCurated(dmi({ sysVendor: 'Framework', productName: '12th Gen Intel Core' }), list)?.id,
      'framework-laptop-12th-13th-gen',
    );
    assert.equal(
      matchCurated(dmi({ sysVendor: 'Framework', productName: 'Laptop 13 (AMD Ryzen 7040Series)' }), list),
      undefined,
      'an AMD Framework laptop is not the 11th-gen Intel one',
    );
    assert.equal(matchCurated(dmi({}), list), undefined);
  });
});
