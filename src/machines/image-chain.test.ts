import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseXml } from '../xml/parse.js';
import { qcow2BackingFile, xmlBackingChain } from './image-chain.js';

describe('image chains: qcow2 headers and the live XML', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phyllo-chain-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  // base ← mid (a relative backing name) ← top (an absolute one), and a raw image.
  before(() => {
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'base.qcow2'), '1M']);
    for (const [backing, image] of [
      ['base.qcow2', 'mid.qcow2'],
      [join(dir, 'mid.qcow2'), 'top.qcow2'],
    ])
      execFileSync('qemu-img', [
        'create',
        '-q',
        '-f',
        'qcow2',
        '-F',
        'qcow2',
        '-b',
        backing!,
        join(dir, image!),
      ]);
    writeFileSync(join(dir, 'raw.img'), Buffer.alloc(4096));
  });

  it('qcow2BackingFile reads the header (a relative name against the image’s folder); a raw image or a missing file stands on nothing', async () => {
    assert.equal(await qcow2BackingFile(join(dir, 'top.qcow2')), join(dir, 'mid.qcow2'));
    assert.equal(await qcow2BackingFile(join(dir, 'mid.qcow2')), join(dir, 'base.qcow2'));
    assert.equal(await qcow2BackingFile(join(dir, 'base.qcow2')), undefined);
    assert.equal(await qcow2BackingFile(join(dir, 'raw.img')), undefined);
    assert.equal(await qcow2BackingFile(join(dir, 'absent.qcow2')), undefined);
  });

  it('the live XML’s backingStore chain, the disk’s own image first', () => {
    const disk = parseXml(`<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
      <source file='/i/top.qcow2'/><backingStore type='file'><format type='qcow2'/><source file='/i/base.qcow2'/>
      <backingStore/></backingStore><target dev='vda'/></disk>`);
    assert.deepEqual(xmlBackingChain(disk), [
      { path: '/i/top.qcow2', format: 'qcow2' },
      { path: '/i/base.qcow2', format: 'qcow2' },
    ]);
  });
});
