import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  escapeXml,
  findGuestReport,
  GuestReportParseError,
  GuestReportTimeoutError,
  parseGuestReport,
  SHARE_ERROR,
  TEST_GUEST_DIR_ENV,
  TestGuestMissingError,
  testGuestDomainXml,
  testGuestPaths,
  VIRTIO_DEVICE_ID,
  waitForReport,
} from './test-guest.js';

const LINE =
  'PHYLLO-GUEST virtio=1,2,4,5,18 blk=vda,sda tpm=tpm0 mem_kib=351948 cpus=2 net=eth0 kernel=6.1.0-56-cloud-amd64 share=none';
const PATHS = { kernel: '/cache/vmlinuz', initrd: '/cache/initrd.img' };

const scratch = mkdtempSync(join(tmpdir(), 'phyllo-test-guest-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function parseDomain(xml: string): Record<string, unknown> {
  assert.equal(XMLValidator.validate(xml), true, 'well-formed XML');
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false });
  return (parser.parse(xml) as { domain: Record<string, unknown> }).domain;
}

describe('parseGuestReport', () => {
  it('reads every field of a report line', () => {
    assert.deepEqual(parseGuestReport(LINE), {
      virtio: [
        VIRTIO_DEVICE_ID.net,
        VIRTIO_DEVICE_ID.block,
        VIRTIO_DEVICE_ID.rng,
        VIRTIO_DEVICE_ID.balloon,
        VIRTIO_DEVICE_ID.input,
      ],
      blk: ['vda', 'sda'],
      tpm: 'tpm0',
      memKiB: 351948,
      cpus: 2,
      net: ['eth0'],
      kernel: '6.1.0-56-cloud-amd64',
      share: null,
    });
  });

  it('reads the share line the guest found, and share=error as it is', () => {
    assert.equal(parseGuestReport(LINE.replace('share=none', 'share=tok-3f2a_9')).share, 'tok-3f2a_9');
    assert.equal(parseGuestReport(LINE.replace('share=none', 'share=error')).share, SHARE_ERROR);
  });

  it('names the rebuild when the guest is older than share=', () => {
    assert.throws(
      () => parseGuestReport(LINE.replace(' share=none', '')),
      /share= is missing .*bash scripts\/build-test-guest\.sh rebuilds it/,
    );
  });

  it('reads "none" as an empty list and tpm=none as null', () => {
    const report = parseGuestReport(
      'PHYLLO-GUEST virtio=none blk=none tpm=none mem_kib=1024 cpus=1 net=none kernel=6.1.0 share=none',
    );
    assert.deepEqual(report.virtio, []);
    assert.deepEqual(report.blk, []);
    assert.deepEqual(report.net, []);
    assert.equal(report.tpm, null);
  });

  it('ignores console noise before the marker, a trailing CR and unknown fields', () => {
    const report = parseGuestReport(`[    2.1] random: crng init done\x1b[0m${LINE} extra=1\r`);
    assert.equal(report.kernel, '6.1.0-56-cloud-amd64');
    assert.deepEqual(report.net, ['eth0']);
  });

  it('rejects a line without the marker, a missing field or a bad number', () => {
    assert.throws(() => parseGuestReport('PHYLLO-ECHO hello'), GuestReportParseError);
    assert.throws(() => parseGuestReport(LINE.replace(' cpus=2', '')), /cpus= is missing/);
    assert.throws(() => parseGuestReport(LINE.replace('mem_kib=351948', 'mem_kib=12x')), /mem_kib=12x/);
    assert.throws(() => parseGuestReport(LINE.replace('virtio=1,2', 'virtio=1,,2')), GuestReportParseError);
  });
});

describe('findGuestReport', () => {
  it('waits for the end of the line before parsing it', () => {
    const partial = `kernel noise\r\n${LINE.slice(0, 40)}`;
    assert.equal(findGuestReport(partial), null);
    assert.deepEqual(findGuestReport(`kernel noise\r\n${LINE}\r\nPHYLLO-ECHO hi\r\n`)?.blk, ['vda', 'sda']);
  });
});

describe('testGuestDomainXml', () => {
  it('escapes the name, paths, serial file and command line', () => {
    const hostile = `a<b>&'"c`;
    const xml = testGuestDomainXml({
      name: hostile,
      serialFile: `/tmp/${hostile}.log`,
      cmdline: `x=${hostile}`,
      paths: { kernel: `/k/${hostile}`, initrd: `/i/${hostile}` },
    });
    assert.ok(!xml.includes(hostile), 'the raw value never appears');
    const domain = parseDomain(xml) as {
      name: string;
      os: { kernel: string; initrd: string; cmdline: string };
      devices: { serial: { log: { '@file': string } } };
    };
    assert.equal(domain.name, hostile);
    assert.equal(domain.os.kernel, `/k/${hostile}`);
    assert.equal(domain.os.initrd, `/i/${hostile}`);
    assert.equal(domain.os.cmdline, `console=ttyS0 quiet x=${hostile}`);
    assert.equal(domain.devices.serial.log['@file'], `/tmp/${hostile}.log`);
  });

  it('escapes all five XML special characters', () => {
    assert.equal(escapeXml(`<&>'"`), '&lt;&amp;&gt;&apos;&quot;');
  });

  it('writes a TCG q35 direct-kernel-boot domain with the requested size', () => {
    const xml = testGuestDomainXml({ name: 'g', memoryMiB: 384, vcpus: 2, paths: PATHS });
    const domain = parseDomain(xml) as Record<string, Record<string, unknown>>;
    assert.equal(domain['@type'], 'qemu');
    assert.equal((domain.os?.type as Record<string, string>)['@machine'], 'q35');
    assert.equal((domain.memory as Record<string, string>)['#text'], '384');
    assert.equal((domain.memory as Record<string, string>)['@unit'], 'MiB');
    assert.equal(domain.vcpu, '2');
    assert.equal(domain.on_poweroff, 'destroy');
    assert.ok('acpi' in (domain.features ?? {}), 'ACPI, for the power button');
    const devices = domain.devices as Record<string, unknown>;
    assert.ok(devices.rng && devices.memballoon && devices.input && devices.serial && devices.console);
    assert.equal(devices.tpm, undefined);
    assert.equal(devices.interface, undefined);
    assert.doesNotMatch(xml, /phyllo\.poweroff/);
    assert.doesNotMatch(xml, /phyllo\.share/);
  });

  it('adds the TPM, user network, power-off switch and extra devices on request', () => {
    const disk = `<disk type='file' device='disk'><source file='/d.raw'/><target dev='vda' bus='virtio'/></disk>`;
    const xml = testGuestDomainXml({
      name: 'g',
      paths: PATHS,
      tpm: true,
      userNetwork: true,
      poweroffAfterReport: true,
      extraDevices: disk,
    });
    const devices = parseDomain(xml).devices as Record<string, Record<string, unknown>>;
    assert.equal(devices.tpm?.['@model'], 'tpm-crb');
    assert.equal((devices.tpm?.backend as Record<string, string>)['@version'], '2.0');
    assert.equal(devices.interface?.['@type'], 'user');
    assert.equal((devices.disk?.target as Record<string, string>)['@dev'], 'vda');
    assert.match(xml, /<cmdline>console=ttyS0 quiet phyllo\.poweroff=1<\/cmdline>/);
  });

  it('names the share to mount on the kernel command line, and refuses a tag the guest cannot take', () => {
    const xml = testGuestDomainXml({
      name: 'g',
      paths: PATHS,
      shareTag: 'data.1',
      poweroffAfterReport: true,
    });
    assert.match(xml, /<cmdline>console=ttyS0 quiet phyllo\.poweroff=1 phyllo\.share=data\.1<\/cmdline>/);
    assert.throws(() => testGuestDomainXml({ name: 'g', paths: PATHS, shareTag: 'a b' }), RangeError);
    assert.throws(() => testGuestDomainXml({ name: 'g', paths: PATHS, shareTag: '' }), RangeError);
  });

  it('rejects a size that is not a positive integer', () => {
    assert.throws(() => testGuestDomainXml({ name: 'g', paths: PATHS, vcpus: 0 }), RangeError);
    assert.throws(() => testGuestDomainXml({ name: 'g', paths: PATHS, memoryMiB: 1.5 }), RangeError);
  });
});

describe('testGuestPaths', () => {
  it('names the build command when the guest is not built', () => {
    const saved = process.env[TEST_GUEST_DIR_ENV];
    process.env[TEST_GUEST_DIR_ENV] = join(scratch, 'empty');
    try {
      assert.throws(testGuestPaths, (err: unknown) => {
        assert.ok(err instanceof TestGuestMissingError);
        assert.equal(err.code, 'test-guest-missing');
        assert.match(err.hint ?? '', /bash scripts\/build-test-guest\.sh/);
        return true;
      });
      writeFileSync(join(scratch, 'vmlinuz'), '');
      writeFileSync(join(scratch, 'initrd.img'), '');
      process.env[TEST_GUEST_DIR_ENV] = scratch;
      assert.deepEqual(testGuestPaths(), {
        dir: scratch,
        kernel: join(scratch, 'vmlinuz'),
        initrd: join(scratch, 'initrd.img'),
      });
    } finally {
      if (saved === undefined) delete process.env[TEST_GUEST_DIR_ENV];
      else process.env[TEST_GUEST_DIR_ENV] = saved;
    }
  });
});

describe('waitForReport', () => {
  it('returns the report once the guest has written the whole line', async () => {
    const file = join(scratch, 'serial.log');
    writeFileSync(file, 'booting\r\n');
    setTimeout(() => appendFileSync(file, LINE.slice(0, 20)), 50);
    setTimeout(() => appendFileSync(file, `${LINE.slice(20)}\r\n`), 400);
    const report = await waitForReport(file, { timeoutMs: 60_000 });
    assert.deepEqual(report.virtio, [1, 2, 4, 5, 18]);
  });

  it('fails with the end of the serial output when no report comes', async () => {
    const file = join(scratch, 'silent.log');
    writeFileSync(file, 'Kernel panic - not syncing\r\n');
    await assert.rejects(waitForReport(file, { timeoutMs: 300 }), (err: unknown) => {
      assert.ok(err instanceof GuestReportTimeoutError);
      assert.match(err.serialTail, /Kernel panic/);
      return true;
    });
  });

  it('waits for a serial file that does not exist yet', async () => {
    const file = join(scratch, 'later.log');
    setTimeout(() => writeFileSync(file, `${LINE}\n`), 100);
    assert.equal((await waitForReport(file)).cpus, 2);
  });
});
