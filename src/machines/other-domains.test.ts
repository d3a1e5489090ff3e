import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, LibvirtError, type Domain, type Libvirt } from '../libvirt/index.js';
import { otherDomains } from './other-domains.js';

const gone = () =>
  new LibvirtError({
    code: ErrorCode.NO_DOMAIN,
    domain: 10,
    message: "Domain not found: no domain with matching uuid 'b'",
    level: 2,
    dom: null,
    str1: null,
    str2: null,
    str3: null,
    int1: -1,
    int2: -1,
    net: null,
  });

function host(...doms: { name: string; uuid: string; xml: () => Promise<string> }[]): Libvirt {
  return { domains: { list: async () => doms as unknown as Domain[] } } as unknown as Libvirt;
}

test('other domains: self left out, one deleted between the list and the read skipped', async () => {
  const lv = host(
    { name: 'me', uuid: 'a', xml: async () => '<domain><name>me</name></domain>' },
    { name: 'gone', uuid: 'b', xml: () => Promise.reject(gone()) },
    { name: 'web', uuid: 'c', xml: async () => '<domain><name>web</name></domain>' },
  );
  const found = await otherDomains(lv, 'a');
  assert.deepEqual(
    found.map((d) => d.dom.name),
    ['web'],
  );
  assert.equal(found[0]!.tree.name, 'domain');
});

test('other domains: any other failure is not hidden', async () => {
  const lv = host({ name: 'bad', uuid: 'b', xml: () => Promise.reject(new Error('connection reset')) });
  await assert.rejects(otherDomains(lv, 'a'), /connection reset/);
});
