/**
 * Every reason, warning, note and fix Phyllome can show must promise only what exists: no console,
 * rebinding, battery guard or command that is not built, and no Windows-only licensing claim on other
 * guests. The texts are produced for real (the model for every profile and option variant on every
 * host fixture, the host check and device map on every host fixture), and the sources are scanned
 * too, for branches the fixtures do not reach.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { hostCheck } from '../../src/host/host-check.js';
import { hostDevices } from '../../src/host/devices.js';
import { buildModel } from '../../src/model/build-model.js';
import type { ModelOptions } from '../../src/model/options.js';
import { PROFILES } from '../../src/catalog/profiles.js';
import { FIXTURES as HOST_TREES, makeFixtures, type FixtureName } from '../fixtures/hosts/make-fixtures.js';
import { FIRST_CLASS, HOST_FIXTURES, loadHost } from '../model/fixtures.js';

/** What is not built, and how a text would promise it. */
const FORBIDDEN: [RegExp, string][] = [
  // phyllo serve's console proxy for noVNC is built (GET /api/vms/NAME/vnc); a page that shows it is not.
  [/browser console|in-browser console|web console/i, 'there is no browser console yet'],
  [/rebound|will be (re)?bound|rebind/i, 'Phyllome does not rebind devices to vfio-pci'],
  [/Phyllome (can|will) (pause|suspend|stop)/i, 'Phyllome does not act on the battery level'],
  [/licen[cs]e/i, 'licensing claims belong to Windows texts only (checked separately)'],
];

const SRC = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  ...(import.meta.url.includes('/dist/') ? ['..'] : []),
  'src',
);
const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** Texts by where they came from (`model linux@kvm-amd {display:vnc} reason of nic`). */
const texts: { where: string; text: string }[] = [];
let fx: ReturnType<typeof makeFixtures>;
let commands: string[];

const VARIANTS: Partial<ModelOptions>[] = [
  {},
  { display: 'vnc' },
  { display: 'none' },
  { drivers: '/srv/virtio-win.iso', iso: '/srv/install.iso' },
  { session: true },
  { migratable: true },
  { kernel: '/boot/vmlinuz', initrd: '/boot/initrd.img' },
  { network: 'lab' },
  { memory: '1G', vcpus: 64 },
];

before(async () => {
  for (const os of [...FIRST_CLASS, 'win10', 'win11', 'fedora37', 'freebsd13.1', 'win2k22'])
    for (const hostName of HOST_FIXTURES)
      for (const v of VARIANTS) {
        const where = `model ${os}@${hostName} ${JSON.stringify(v)}`;
        const host = loadHost(hostName, v.session ? { session: true, passt: true } : {});
        try {
          const r = buildModel({ name: 'x', os, ...v }, host, { homeDir: '/home/u' });
          for (const d of r.decisions)
            texts.push({ where: `${where} ${d.topic}`, text: `${d.choice}: ${d.reason}` });
          for (const w of r.warnings) texts.push({ where: `${where} warning`, text: w });
          for (const n of r.guest.notes) texts.push({ where: `${where} note`, text: n });
        } catch (err) {
          const e = err as { message: string; hint?: string };
          texts.push({ where: `${where} error`, text: `${e.message} ${e.hint ?? ''}` });
        }
      }
  for (const p of PROFILES) for (const n of p.notes) texts.push({ where: `profile ${p.id} note`, text: n });

  const names = (Object.keys(HOST_TREES) as FixtureName[]).filter((n) => n !== 'big-host');
  fx = makeFixtures(names);
  for (const name of names) {
    const root = fx.roots[name]!;
    for (const c of (await hostCheck({ root })).checks)
      texts.push({ where: `host check ${name} ${c.id}`, text: `${c.summary}\n${c.detail}\n${c.fix}` });
    const map = await hostDevices({ root });
    for (const g of map.groups)
      for (const r of g.reasons) texts.push({ where: `host devices ${name} group ${g.id}`, text: r });
  }

  const help = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [MAIN, '--help'], (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
  commands = [...help.matchAll(/^ {2}([a-z]+(?: [a-z-]+)?)(?= {2})/gm)].map((m) => m[1]!);
  // `phyllo help COMMAND` is the parser's own word, the same as `phyllo COMMAND --help`.
  commands.push('help');
  // A group word alone (`phyllo vm`) lists its commands.
  commands.push(...new Set(commands.map((c) => c.split(' ')[0]!)));
});
after(() => fx?.cleanup());

test('the texts were really produced: every profile, variant and fixture', () => {
  assert.ok(texts.length > 3000, `only ${texts.length} texts`);
  assert.ok(commands.includes('host check') && commands.includes('vm create'), commands.join(', '));
  // The texts that used to make the promises are among them.
  assert.ok(texts.some((t) => t.where.includes('"display":"vnc"') && t.where.endsWith(' display')));
  assert.ok(texts.some((t) => t.where.startsWith('host check intel-laptop power.battery')));
  assert.ok(texts.some((t) => t.where.startsWith('host devices') && /bound to/.test(t.text)));
});

test('no produced text promises something that is not built', () => {
  const bad = texts.flatMap(({ where, text }) =>
    FORBIDDEN.filter(([re]) => re.test(text) && !(re.source.startsWith('licen') && /Windows/.test(text))).map(
      ([, why]) => `${where}: ${why}\n    ${text}`,
    ),
  );
  assert.deepEqual(bad.slice(0, 10), [], `${bad.length} texts promise too much`);
});

test('socket licensing is mentioned for desktop Windows only', () => {
  const topology = texts.filter((t) => / topology$/.test(t.where));
  assert.ok(topology.length > 100);
  for (const t of topology) {
    const desktopWindows = /^model (windows-1[01]|win1[01])@/.test(t.where);
    assert.equal(/socket, Pro two|Windows Home/.test(t.text), desktopWindows, `${t.where}: ${t.text}`);
  }
});

test('every `phyllo …` command a text names exists', () => {
  const named = (text: string) => [...text.matchAll(/`phyllo ([a-z]+(?: [a-z-]+)?)/g)].map((m) => m[1]!);
  const bad = texts.flatMap(({ where, text }) =>
    named(text)
      .filter((c) => !commands.includes(c) && !commands.includes(c.split(' ')[0]!))
      .map((c) => `${where}: phyllo ${c}`),
  );
  assert.deepEqual(bad.slice(0, 10), [], `${bad.length} texts name a command that does not exist`);
});

test('no source file says it either (branches the fixtures do not reach)', () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) files.push(join(dir, e.name));
  };
  walk(SRC);
  assert.ok(files.length > 50);
  const bad: string[] = [];
  for (const f of files) {
    // String literals and template texts only: comments may discuss what is not built.
    const code = readFileSync(f, 'utf8').replace(/^\s*(\/\/|\*|\/\*\*).*$/gm, '');
    for (const [re, why] of FORBIDDEN.slice(0, 4)) if (re.test(code)) bad.push(`${f}: ${why}`);
    for (const m of code.matchAll(/`phyllo ([a-z]+(?: [a-z-]+)?)/g))
      if (!commands.includes(m[1]!) && !commands.includes(m[1]!.split(' ')[0]!))
        bad.push(`${f}: phyllo ${m[1]}`);
  }
  assert.deepEqual(bad, []);
});
