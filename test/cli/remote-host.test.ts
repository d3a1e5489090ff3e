/**
 * `os explain` and `vm create --print-xml` for a REMOTE host take that host's facts, through its
 * libvirt, over TCP and over SSH. The second host (test/support/second-host.ts) is made to differ
 * from this machine: 4 GiB of memory in its node info, and no swtpm (so its libvirt lists no emulated
 * TPM backend). Paths name files on that host: storage volumes, checked there.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { run as explain } from '../../src/cli/commands/os-explain.js';
import { run as create } from '../../src/cli/commands/vm-create.js';
import { status } from '../../src/cli/commands/status.js';
import { kvmVerdict } from '../../src/host/kvm-verdict.js';
import { PhyllomeError } from '../../src/errors.js';
import { connect, isNotFound, type Libvirt, type StoragePool } from '../../src/libvirt/index.js';
import type { ExplainedDecision } from '../../src/model/build-model.js';
import { cloneVm } from '../../src/machines/clone-vm.js';
import { deleteVm } from '../../src/machines/delete-vm.js';
import { gatherModelHostFacts } from '../../src/machines/model-host-facts.js';
import { vmInfo } from '../../src/machines/vm-info.js';
import { ISO_SIGNATURE_OFFSET } from '../../src/machines/option-paths.js';
import { secondHostSkip, startSecondHost, type SecondHost } from '../support/second-host.js';
import { openSystem, uniqueName } from '../libvirt/helpers.js';
import { isoImage } from '../support/iso-image.js';
import { jsonContext } from '../support/command-context.js';

const uniqName = uniqueName('remote');
const MEMORY_KIB = 4 * 1024 * 1024;
const IMAGES = '/var/lib/libvirt/images';
const skip = secondHostSkip();
const hasSshd = existsSync('/usr/sbin/sshd');

let hostB: SecondHost;
let lvB: Libvirt;
let pool: StoragePool;

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const ctx = jsonContext;

async function decisions(
  connectUri: string | undefined,
  os: string,
): Promise<Map<string, ExplainedDecision>> {
  const r = await explain(ctx([os], connectUri ? { connect: connectUri } : {}));
  const data = r.data as { decisions: ExplainedDecision[] };
  return new Map(data.decisions.map((d) => [d.topic, d]));
}

/** Rejects with a PhyllomeError of that code whose message (and hint) match. */
async function failsWith(p: Promise<unknown>, code: string, message: RegExp, hint?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof PhyllomeError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    if (hint) assert.match(e.hint ?? '', hint);
    return true;
  });
}

async function volume(name: string, bytes: Buffer): Promise<void> {
  const vol = await pool.volumes.create(
    `<volume><name>${name}</name><capacity unit='bytes'>${bytes.length}</capacity><target><format type='raw'/></target></volume>`,
  );
  await vol.upload(Readable.from([bytes]));
}

before(async () => {
  if (skip) return;
  hostB = await startSecondHost({ memoryKiB: MEMORY_KIB, hideSwtpm: true, ssh: hasSshd });
  lvB = await connect(hostB.uri);
  pool = await lvB.pools.create(
    `<pool type='dir'><name>images</name><target><path>${IMAGES}</path></target></pool>`,
  );
  const iso = Buffer.alloc(ISO_SIGNATURE_OFFSET + 2048);
  iso.write('CD001', ISO_SIGNATURE_OFFSET, 'latin1');
  await volume('install.iso', iso);
  await volume('not-an.iso', Buffer.alloc(ISO_SIGNATURE_OFFSET + 2048));
  await volume('jammy.iso', isoImage({ volumeId: 'Ubuntu-Server 22.04.3 LTS amd64', systemId: 'LINUX' }));
});

after(async () => {
  if (skip) return;
  await lvB?.close();
  await hostB?.stop();
});

describe('a remote host answers for itself', { skip }, () => {
  for (const transport of ['tcp', 'ssh'] as const) {
    const needs = transport === 'ssh' && !hasSshd ? { skip: 'needs the OpenSSH server' } : {};
    test(
      `os explain over ${transport} uses the remote host's memory, TPM, firmware and KVM facts`,
      needs,
      async () => {
        const uri = transport === 'tcp' ? hostB.uri : (hostB.sshUri as string);
        const where = esc(hostB.address);
        const [remote, local] = await Promise.all([decisions(uri, 'linux'), decisions(undefined, 'linux')]);
        // Memory: its node info says 4096 MiB; this machine has more.
        assert.match(remote.get('memory')?.reason ?? '', /of its 4096 MiB/);
        assert.doesNotMatch(local.get('memory')?.reason ?? '', /of its 4096 MiB/);
        // TPM: swtpm is hidden there, so its libvirt lists no emulator backend; here it does.
        assert.equal(remote.get('tpm')?.choice, 'none');
        assert.match(
          remote.get('tpm')?.reason ?? '',
          new RegExp(`libvirt on ${where} lists no emulated TPM backend`),
        );
        assert.equal(local.get('tpm')?.choice, 'tpm-crb 2.0');
        // KVM is boot-tested there, through its libvirt (src/machines/remote-kvm-verdict.ts): the second
        // host runs on this machine's hardware, so its verdict is this machine's.
        assert.equal(remote.get('domain-type')?.choice, local.get('domain-type')?.choice);
        assert.doesNotMatch(remote.get('domain-type')?.reason ?? '', /not tested/);
        if (remote.get('domain-type')?.choice === 'qemu')
          assert.match(remote.get('domain-type')?.reason ?? '', /boot test failed/);
        // Firmware from its domain capabilities; the descriptors' features are unknown there, so no S3/S4.
        assert.match(remote.get('firmware')?.reason ?? '', new RegExp(`chosen by libvirt on ${where}`));
        assert.equal(remote.get('power')?.choice, 'off');
        assert.match(remote.get('power')?.reason ?? '', new RegExp(`unknown on ${where}`));
        // VNC where the browser console reaches it: that host's loopback (over SSH), a UNIX socket here.
        assert.match(remote.get('display')?.reason ?? '', new RegExp(`loopback address of ${where}`));
        assert.match(local.get('display')?.reason ?? '', /on a UNIX socket/);
      },
    );
  }

  test("status for a remote host reports the boot test run there, not this machine's", async () => {
    const [remote, local] = await Promise.all([status({ uri: hostB.uri }), kvmVerdict({})]);
    // The second host's daemon runs on this machine's hardware, so its boot test ends as the local one.
    assert.equal(remote.kvm.state, local.state);
    assert.equal(remote.kvm.usable, local.usable);
    assert.doesNotMatch(remote.kvm.summary, /not tested/);
    // Asked again: the verdict cached for that host, with the time it was tested.
    const again = await status({ uri: hostB.uri });
    assert.equal(again.kvm.cached, true);
  });

  test('the KVM verdict for a remote host comes through the GatherOptions.verdict seam', async () => {
    let asked: string | undefined;
    const host = await gatherModelHostFacts(lvB, {
      verdict: async (lv) => {
        asked = lv.requestedUri;
        return { state: 'works', usable: true, summary: 'KVM works', detail: 'booted there', cached: false };
      },
    });
    assert.equal(asked, hostB.uri);
    assert.equal(host.remoteHost, hostB.address);
    assert.equal(host.kvm.works, true);
    assert.equal(host.kvm.reason, 'booted there');
    // Where its libvirt offers kvm (it has /dev/kvm), KVM's domain capabilities are read once KVM is proven.
    assert.equal(host.domainCaps.kvm !== undefined, host.kvm.offered);
    assert.equal(host.memoryKiB, MEMORY_KIB);
    assert.equal(host.swtpm, false);
    assert.equal(host.firmware, 'unknown');
    assert.ok(host.storagePools?.some((p) => p.path === IMAGES && p.availableBytes > 0));
  });

  test('Windows 11 is refused on the host without swtpm, naming it', async () => {
    await failsWith(
      explain(ctx(['windows-11'], { connect: hostB.uri })),
      'host-missing-component',
      new RegExp(`TPM 2.0, and libvirt on ${esc(hostB.address)} lists no emulated TPM backend`),
      /apt-get install swtpm/,
    );
  });

  test('--memory above the remote host’s memory is refused with its size', async () => {
    await failsWith(
      create(ctx(['remote-mem'], { os: 'linux', memory: '6G', connect: hostB.uri, 'print-xml': true })),
      'memory-above-host',
      /4096 MiB/,
    );
  });

  test('vm create --print-xml takes a remote ISO volume by path and as POOL/VOLUME', async () => {
    for (const iso of [`${IMAGES}/install.iso`, 'images/install.iso']) {
      const r = await create(
        ctx(['remote-iso'], {
          os: 'linux',
          iso,
          'disk-size': 'none',
          connect: hostB.sshUri ?? hostB.uri,
          'print-xml': true,
        }),
      );
      const xml = (r.data as { xml: string }).xml;
      assert.ok(xml.includes(`<source file='${IMAGES}/install.iso'/>`), xml);
      assert.match(xml, /<memory unit='KiB'>2097152<\/memory>/);
    }
  });

  test('vm create defines the VM and its disk on the remote host, with its facts', async () => {
    const r = await create(
      ctx([uniqName], {
        os: 'linux',
        iso: 'images/install.iso',
        'disk-size': '1G',
        connect: hostB.uri,
      }),
    );
    const vm = r.data as { name: string; disk?: string };
    assert.equal(vm.disk, `${IMAGES}/${uniqName}.qcow2`);
    const local = await openSystem();
    try {
      await assert.rejects(local.domains.lookup(uniqName), (e: unknown) => isNotFound(e));
    } finally {
      await local.close();
    }
    const dom = await lvB.domains.lookup(uniqName);
    try {
      const xml = await dom.xml();
      assert.match(xml, /<memory unit='KiB'>2097152<\/memory>/);
      assert.doesNotMatch(xml, /<tpm/);
      assert.ok(xml.includes(`<source file='${IMAGES}/install.iso'/>`));
      assert.equal((await lvB.volumes.lookupByPath(`${IMAGES}/${uniqName}.qcow2`)).name, `${uniqName}.qcow2`);
    } finally {
      await dom.undefine(4 | 32).catch(() => undefined);
      await (await lvB.volumes.lookupByPath(`${IMAGES}/${uniqName}.qcow2`)).delete().catch(() => undefined);
    }
  });

  test('vm info on the remote host lists a linked clone made there (from the chain records), and not once it is deleted', async () => {
    const src = `${uniqName}-cl`;
    const dst = `${src}-b`;
    const vol = await pool.volumes.create(
      `<volume><name>${src}.qcow2</name><capacity unit='MiB'>16</capacity><target><format type='qcow2'/></target></volume>`,
    );
    await lvB.domains.define(
      `<domain type='qemu'><name>${src}</name><memory unit='MiB'>64</memory><os><type arch='x86_64' machine='q35'>hvm</type></os><devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${await vol.path()}'/><target dev='vda' bus='virtio'/></disk></devices></domain>`,
    );
    try {
      assert.equal((await cloneVm(lvB, src, dst)).linked, true);
      assert.deepEqual((await vmInfo(lvB, src)).dependentClones, [dst]);
      assert.deepEqual((await vmInfo(lvB, dst)).dependentClones, []);
      await deleteVm(lvB, dst);
      assert.deepEqual((await vmInfo(lvB, src)).dependentClones, []);
    } finally {
      for (const vm of [dst, src]) await deleteVm(lvB, vm, { force: true }).catch(() => undefined);
      await vol.delete().catch(() => undefined);
    }
  });

  test('a remote path in no storage pool is an error naming the host and how to upload it', async () => {
    await failsWith(
      create(
        ctx(['remote-iso'], { os: 'linux', iso: '/srv/nowhere.iso', connect: hostB.uri, 'print-xml': true }),
      ),
      'remote-file-not-in-pool',
      new RegExp(esc(`--iso /srv/nowhere.iso: the file is not in any storage pool on ${hostB.address}`)),
      new RegExp(esc(`virsh -c '${hostB.uri}' vol-upload`)),
    );
  });

  test('vm create --iso without --os reads the remote volume’s descriptor there and detects the OS', async () => {
    const r = await create(
      ctx(['remote-detect'], {
        iso: 'images/jammy.iso',
        'disk-size': 'none',
        connect: hostB.uri,
        'print-xml': true,
      }),
    );
    const data = r.data as { xml: string; detected: { os: string; reason: string } };
    assert.equal(data.detected.os, 'ubuntu22.04');
    assert.match(
      data.detected.reason,
      new RegExp(`^${esc(IMAGES)}/jammy\\.iso: volume id "Ubuntu-Server 22\\.04\\.3 LTS amd64"`),
    );
    assert.ok(data.xml.includes(`<source file='${IMAGES}/jammy.iso'/>`), data.xml);
  });

  test('a remote volume without the ISO 9660 signature is not taken as --iso', async () => {
    await failsWith(
      create(
        ctx(['remote-iso'], {
          os: 'linux',
          iso: `${IMAGES}/not-an.iso`,
          connect: hostB.uri,
          'print-xml': true,
        }),
      ),
      'invalid-file',
      /is not an ISO image on/,
    );
  });
});
