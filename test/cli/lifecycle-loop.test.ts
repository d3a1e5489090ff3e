/**
 * The whole loop through `bin/phyllo` on the real system daemon, with the test guest booted directly
 * from its kernel: create → start → the guest's ready line through `vm console` on a pseudo-terminal
 * (type a line, see its echo, Ctrl-], the terminal mode restored) → `vm screenshot` writes a PNG →
 * ACPI `vm shutdown` reaches "shut off" while a second console session is attached (it ends, and the
 * terminal is restored) → removed with the libvirt client, and no file of these commands is left.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { connect, UndefineFlags } from '../../src/libvirt/index.js';
import { lockDir, lockPath } from '../../src/machines/vm-lock.js';
import { testGuestCreateArgs, REPORT_MARKER, ECHO_MARKER } from '../support/test-guest.js';
import { uniqueName } from '../libvirt/helpers.js';
import { onPty, phyllo } from '../support/bin-phyllo.js';
import { waitFor } from '../support/wait.js';

const name = uniqueName('loop');
const shots = mkdtempSync(join(tmpdir(), 'phyllo-loop-'));
after(async () => {
  const lv = await connect('qemu:///system');
  const dom = await lv.domains.lookup(name).catch(() => undefined);
  await dom?.destroy().catch(() => undefined);
  await dom?.undefine(UndefineFlags.NVRAM | UndefineFlags.TPM).catch(() => undefined);
  await lv.close();
  rmSync(shots, { recursive: true, force: true });
});

/** Width and height of a PNG after checking its signature, every chunk's CRC and the pixel data's length. */
function checkPng(png: Buffer): { width: number; height: number } {
  assert.deepEqual(
    [...png.subarray(0, 8)],
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    'PNG signature',
  );
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const [depth, colour] = [png[24], png[25]];
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
    if (type === 'IEND') break;
  }
  const channels = colour === 2 ? 3 : colour === 6 ? 4 : colour === 0 ? 1 : 0;
  assert.equal(depth, 8);
  assert.ok(channels > 0, `colour type ${colour}`);
  const raw = inflateSync(Buffer.concat(idat));
  assert.equal(raw.length, height * (1 + width * channels), 'the pixel data decodes to the IHDR size');
  return { width, height };
}

test('create → start → console → screenshot → ACPI shutdown, all through bin/phyllo', async () => {
  const created = await phyllo(...testGuestCreateArgs(name, { display: 'vnc' }), '--json');
  assert.equal(created.code, 0, created.stdout + created.stderr);
  const vm = JSON.parse(created.stdout) as { uuid: string };

  const started = await phyllo('vm', 'start', name, '--json');
  assert.equal(started.code, 0, started.stdout);
  assert.equal((JSON.parse(started.stdout) as { state: string }).state, 'running');
  const again = await phyllo('vm', 'start', name, '--json');
  assert.equal(again.code, 1);
  assert.equal((JSON.parse(again.stdout) as { error: { code: string } }).error.code, 'vm-wrong-state');

  // The console: the ready line, a typed line echoed back, Ctrl-] leaves; the terminal is as before.
  const first = await onPty(
    [
      { expect: `${REPORT_MARKER} ` },
      { send: 'hello-loop\r' },
      { expect: `${ECHO_MARKER} hello-loop` },
      { send: '\u001d' },
    ],
    'vm',
    'console',
    name,
  );
  assert.equal(first.failedStep, null, first.output.slice(-500));
  assert.equal(first.exit, 0, first.output.slice(-500));
  assert.match(first.output, /Left the console \(Ctrl-\]\)/);
  assert.equal(first.after, first.before, 'the terminal mode is restored after Ctrl-]');

  const file = join(shots, 'screen.png');
  const shot = await phyllo('vm', 'screenshot', name, file, '--json');
  assert.equal(shot.code, 0, shot.stdout);
  const size = checkPng(readFileSync(file));
  const reported = JSON.parse(shot.stdout) as { width: number; height: number };
  assert.deepEqual(size, { width: reported.width, height: reported.height });
  assert.ok(size.width >= 320 && size.height >= 200, `${size.width}×${size.height}`);
  assert.deepEqual(readdirSync(shots), ['screen.png'], 'no temporary file beside it');

  const display = await phyllo('vm', 'display', name, '--json');
  // VNC on a UNIX socket in libvirt's directory for the VM (the model's choice on this host; libvirt
  // shortens the name in the directory's).
  assert.match(display.stdout, /"socket": "\/var\/lib\/libvirt\/qemu\/domain-\d+-[^/"]+\/vnc\.sock"/);

  // SIGTERM to an attached console: it ends, the terminal restored, the VM still running.
  const term = await onPty([{ expect: 'escape: Ctrl-]' }, { signal: 'SIGTERM' }], 'vm', 'console', name);
  assert.equal(term.failedStep, null, term.output.slice(-500));
  assert.match(term.output, /Interrupted; the VM keeps running\./);
  assert.equal(term.after, term.before, 'the terminal mode is restored after SIGTERM');

  // A console attached while the guest shuts down on ACPI: it ends by itself, the terminal restored.
  // The shutdown is sent once the console is attached (the marker file), never before.
  const attached = join(shots, 'attached');
  const console2 = onPty([{ expect: 'escape: Ctrl-]' }, { touch: attached }], 'vm', 'console', name);
  await waitFor('the console to attach', () => (existsSync(attached) ? true : undefined));
  rmSync(attached);
  const done = await phyllo('vm', 'shutdown', name, '--json');
  const second = await console2;
  assert.equal(done.code, 0, done.stdout);
  const result = JSON.parse(done.stdout) as { state: string; forced: boolean };
  assert.deepEqual([result.state, result.forced], ['shutoff', false]);
  assert.equal(second.failedStep, null, second.output.slice(-500));
  assert.match(second.output, /The VM stopped; the console closed\./);
  assert.equal(second.after, second.before, 'the terminal mode is restored when the VM stops');

  const lv = await connect('qemu:///system');
  try {
    const dom = await lv.domains.lookup(name);
    assert.equal((await dom.state()).state, 'shutoff');
    const lock = lockPath(lv, dom);
    const nvram = /<nvram[^>]*>([^<]+)<\/nvram>/.exec(await dom.xml())?.[1];
    await dom.undefine(UndefineFlags.NVRAM | UndefineFlags.TPM);
    if (nvram) assert.equal(existsSync(nvram), false, nvram);
    assert.equal(existsSync(`/var/lib/libvirt/swtpm/${vm.uuid}`), false, 'no TPM state left');
    assert.equal(existsSync(lock), false, 'no lock file left');
    const strays = existsSync(lockDir())
      ? readdirSync(lockDir()).filter((f) => f.startsWith(lock.split('/').pop()!))
      : [];
    assert.deepEqual(strays, []);
  } finally {
    await lv.close();
  }
});

test('a console for a VM that is not running is refused before the terminal is touched', async () => {
  const refused = await onPty([{ expect: 'error:' }], 'vm', 'console', uniqueName('none'));
  assert.match(refused.output, /no VM named/);
  assert.notEqual(refused.exit, 0);
  assert.equal(refused.after, refused.before);
});
