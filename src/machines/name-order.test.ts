import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import {
  compareRoot,
  nameOrder,
  ROOT_ORDER,
  rootKey,
  rootLikeLocale,
  rootOrderApplies,
  sortByName,
} from './name-order.js';

/** What a C/POSIX/English default locale gives (checked below in child processes). */
const english = new Intl.Collator('en');
const sign = (n: number): number => Math.sign(n);
const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));

test('the table is ICU’s order of the printable ASCII characters, both cases of a letter weighing the same', () => {
  assert.equal([...PRINTABLE].sort(english.compare).join(''), ROOT_ORDER);
  const base = new Intl.Collator('en', { sensitivity: 'base' });
  for (const a of PRINTABLE)
    for (const b of PRINTABLE) {
      const same = a.toLowerCase() === b.toLowerCase() && /[a-z]/i.test(a);
      assert.equal(base.compare(a, b) === 0, a === b || same, `${a} ${b}`);
    }
});

test('compareRoot answers as ICU’s collator for every pair of characters and 50,000 pairs of names', () => {
  for (const a of PRINTABLE)
    for (const b of PRINTABLE) assert.equal(compareRoot(a, b), sign(english.compare(a, b)), `${a} ${b}`);
  // Few letters, both cases, the usual separators: many names differ only in case or punctuation.
  const alphabet = 'aAbBzZ09-_. ~@';
  let seed = 42;
  const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const name = (): string =>
    Array.from({ length: rand(7) }, () => alphabet[rand(alphabet.length)] ?? 'a').join('');
  const names: string[] = [];
  for (let i = 0; i < 50_000; i++) {
    const a = name();
    const b = rand(4) === 0 ? a.toUpperCase() : name();
    names.push(a);
    assert.equal(compareRoot(a, b), sign(english.compare(a, b)), JSON.stringify([a, b]));
  }
  assert.deepEqual([...names].sort(compareRoot), [...names].sort(english.compare));
});

test('the locales whose collation is the root one are recognized; any other locale variable is not trusted', () => {
  assert.equal(rootLikeLocale({}), true);
  assert.equal(rootLikeLocale({ LANG: 'C.UTF-8' }), true);
  assert.equal(rootLikeLocale({ LANG: 'en_GB.UTF-8', LC_ALL: 'C', LANGUAGE: 'en_GB:en' }), true);
  assert.equal(rootLikeLocale({ LANG: 'POSIX', LC_MESSAGES: '' }), true);
  assert.equal(rootLikeLocale({ LANG: 'da_DK.UTF-8' }), false);
  assert.equal(rootLikeLocale({ LANG: 'C.UTF-8', LC_COLLATE: 'sv_SE.UTF-8' }), false);
  assert.equal(rootLikeLocale({ LANG: 'en_US.UTF-8', LANGUAGE: 'de:en' }), false);
  assert.equal(rootLikeLocale({ LANG: 'en_US_POSIX' }), false);
  assert.equal(rootLikeLocale({ LANG: 'en_US.UTF-8@euro' }), false);
});

test('under C, POSIX and English locales a fresh process sorts names as the table does', () => {
  const script = `process.stdout.write(JSON.stringify([new Intl.Collator().resolvedOptions().locale, ${JSON.stringify([...PRINTABLE].reverse())}.sort((a, b) => a.localeCompare(b)).join('')]))`;
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(LC_|LANG)/.test(k) && k !== 'NODE_EXTRA_CA_CERTS'),
  );
  for (const locale of [{}, { LANG: 'C.UTF-8' }, { LANG: 'POSIX' }, { LANG: 'en_GB.UTF-8', LC_ALL: 'C' }]) {
    const env = { ...clean, ...locale };
    assert.equal(rootLikeLocale(env), true);
    const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
    const [resolved, order] = JSON.parse(r.stdout) as [string, string];
    assert.match(resolved, /^en/, JSON.stringify(locale));
    assert.equal(order, ROOT_ORDER, JSON.stringify(locale));
  }
});

test('nameOrder: the table for printable ASCII under a root-like locale, the collator for anything else', () => {
  const ascii = ['web-2', 'Web-1', 'web_1', 'db', 'DB', 'a.b', 'ab'];
  assert.equal(rootOrderApplies(ascii, { LANG: 'C.UTF-8' }), true);
  assert.equal(nameOrder(ascii, undefined, { LANG: 'C.UTF-8' }), compareRoot);
  assert.deepEqual(
    [...ascii].sort(nameOrder(ascii, undefined, { LANG: 'C.UTF-8' })),
    [...ascii].sort(english.compare),
  );
  const accented = ['été', 'ete', 'Ete', 'f'];
  assert.equal(rootOrderApplies(accented, {}), false);
  assert.notEqual(nameOrder(accented, undefined, {}), compareRoot);
  assert.deepEqual(
    [...accented].sort(nameOrder(accented, undefined, {})),
    [...accented].sort(new Intl.Collator().compare),
  );
  assert.notEqual(nameOrder(ascii, undefined, { LANG: 'da_DK.UTF-8' }), compareRoot);
  const given = new Intl.Collator();
  assert.equal(nameOrder(ascii, given, { LANG: 'da_DK.UTF-8' }), given.compare);
});

test('rootKey: the keys in plain order are the names in compareRoot order, pair by pair and sorted', () => {
  const plain = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  for (const a of PRINTABLE)
    for (const b of PRINTABLE) assert.equal(plain(rootKey(a), rootKey(b)), compareRoot(a, b), `${a} ${b}`);
  const alphabet = 'aAbBzZ09-_. ~@';
  let seed = 7;
  const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const name = (): string =>
    Array.from({ length: rand(9) }, () => alphabet[rand(alphabet.length)] ?? 'a').join('');
  for (let i = 0; i < 50_000; i++) {
    const a = name();
    const b = rand(3) === 0 ? a.toUpperCase() : rand(3) === 0 ? a + name() : name();
    assert.equal(plain(rootKey(a), rootKey(b)), compareRoot(a, b), JSON.stringify([a, b]));
  }
});

test('sortByName sorts items by name as localeCompare does: by keys for printable ASCII, else by the collator', () => {
  const env = { LANG: 'C.UTF-8' };
  const ascii = ['web-10', 'Web-2', 'web', 'db_1', 'DB-1', 'a b', 'win11', 'Win11', '~x', '0day'];
  const items = ascii.map((name, i) => ({ name, i }));
  const sorted = sortByName([...items], (x) => x.name, undefined, env);
  assert.deepEqual(
    sorted.map((x) => x.name),
    [...ascii].sort(english.compare),
  );
  assert.deepEqual(
    sorted.map((x) => x.i).sort((a, b) => a - b),
    items.map((x) => x.i),
    'every item once',
  );
  const accented = ['Ørsted', 'zebra', 'Émile', 'apple', 'éclair'];
  assert.deepEqual(
    sortByName([...accented], (x) => x, undefined, env),
    [...accented].sort(new Intl.Collator().compare),
  );
  assert.deepEqual(
    sortByName([], (x: string) => x, undefined, env),
    [],
  );
});

test('sortByName: names of lower-case letters, digits, - and . sort in their plain order, which is the root order', () => {
  const alphabet = 'az09-.m5';
  let seed = 11;
  const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const names = Array.from({ length: 3000 }, () =>
    Array.from({ length: 1 + rand(6) }, () => alphabet[rand(alphabet.length)] ?? 'a').join(''),
  );
  const unique = [...new Set(names)];
  assert.deepEqual(
    sortByName([...unique], (x) => x, undefined, { LANG: 'C.UTF-8' }),
    [...unique].sort(compareRoot),
  );
  assert.deepEqual(
    sortByName([...unique], (x) => x, undefined, { LANG: 'C.UTF-8' }),
    [...unique].sort(english.compare),
  );
});
