import { DomainXmlFlags, isNotFound, type Domain, type Libvirt } from '../libvirt/index.js';
import type { XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';

/**
 * Every domain on the connection but `self` (a UUID), with its inactive XML parsed. A domain deleted
 * between the list and the read (another command, another tool) is left out instead of failing the
 * whole scan with libvirt's "Domain not found".
 */
export async function otherDomains(lv: Libvirt, self: string): Promise<{ dom: Domain; tree: XmlNode }[]> {
  const domains = (await lv.domains.list()).filter((d) => d.uuid !== self);
  const read = await Promise.all(
    domains.map(async (dom) => {
      try {
        return {
          dom,
          tree: parseXml(await dom.xml(DomainXmlFlags.INACTIVE), `the domain XML of ${dom.name}`),
        };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    }),
  );
  return read.filter((r) => r !== undefined);
}
