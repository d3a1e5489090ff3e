import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCapabilities } from './capabilities.js';
import { parseDomainCapabilities } from './domain-capabilities.js';
import { cachedParse } from './parse-cache.js';

const FIXTURES = new URL('../../../test/fixtures/model/capabilities/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'phyllome-parse-cache-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A parser that counts its calls. */
function counting<T>(parse: (doc: string) => T): { parse: (doc: string) => T; calls: () => number } {
  let n = 0;
  return {
    parse: (doc) => {
      n++;
      return parse(doc);
    },
    calls: () => n,
  };
}

test('the same document and build are parsed once; the cached value equals a fresh parse exactly', () => {
  for (const [kind, file, parse] of [
    ['capabilities', 'this-host-capabilities.xml', parseCapabilities],
    ['capabilities', 'kvm-amd-capabilities.xml', parseCapabilities],
    ['domcaps-qemu', 'this-host-domcaps-qemu.xml', parseDomainCapabilities],
    ['domcaps-kvm', 'kvm-intel-domcaps-kvm.xml', parseDomainCapabilities],
  ] as const) {
    withDir((cacheDir) => {
      const doc = fixture(file);
      const p = counting<unknown>(parse);
      const first = cachedParse(kind, doc, p.parse, { cacheDir, buildId: 'b1' });
      const second = cachedParse(kind, doc, p.parse, { cacheDir, buildId: 'b1' });
      assert.equal(p.calls(), 1, `${file}: the second call must come from the cache`);
      assert.deepStrictEqual(second, parse(doc), file);
      assert.deepStrictEqual(first, second, file);
    });
  }
});

test('another document, another build or an unreadable cache file means parsing again', () => {
  withDir((cacheDir) => {
    const p = counting((doc: string) => ({ length: doc.length }));
    cachedParse('k', '<a/>', p.parse, { cacheDir, buildId: 'b1' });
    assert.deepEqual(cachedParse('k', '<ab/>', p.parse, { cacheDir, buildId: 'b1' }), { length: 5 });
    assert.equal(p.calls(), 2);
    cachedParse('k', '<ab/>', p.parse, { cacheDir, buildId: 'b2' });
    assert.equal(p.calls(), 3);
    writeFileSync(join(cacheDir, 'parsed-k.json'), '{ torn');
    assert.deepEqual(cachedParse('k', '<ab/>', p.parse, { cacheDir, buildId: 'b2' }), { length: 5 });
    assert.equal(p.calls(), 4);
    cachedParse('k', '<ab/>', p.parse, { cacheDir, buildId: 'b2' });
    assert.equal(p.calls(), 4, 'the torn file was replaced by a good entry');
  });
});

test('without a build id nothing is cached and nothing is written', () => {
  withDir((cacheDir) => {
    const p = counting((doc: string) => doc.length);
    cachedParse('k', '<a/>', p.parse, { cacheDir, buildId: undefined });
    cachedParse('k', '<a/>', p.parse, { cacheDir, buildId: undefined });
    assert.equal(p.calls(), 2);
    assert.equal(existsSync(join(cacheDir, 'parsed-k.json')), false);
  });
});

test('a cache dir that cannot be written costs only the parse', () => {
  withDir((dir) => {
    const blocker = join(dir, 'file');
    writeFileSync(blocker, '');
    const p = counting((doc: string) => doc.length);
    assert.equal(cachedParse('k', '<a/>', p.parse, { cacheDir: join(blocker, 'sub'), buildId: 'b' }), 4);
    assert.equal(cachedParse('k', '<a/>', p.parse, { cacheDir: join(blocker, 'sub'), buildId: 'b' }), 4);
    assert.equal(p.calls(), 2);
  });
});
