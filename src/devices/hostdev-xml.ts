/** The `<hostdev>` element that gives a guest one PCI function, and the addresses it accepts. Pure. */
import { InvalidInputError } from '../errors.js';
import { el, type XmlNode } from '../xml/node.js';

/**
 * A PCI address as sysfs writes it (`0000:0b:00.0`), from that or the short form lspci prints
 * (`0b:00.0`, domain 0000); any case. Anything else is a typed error.
 */
export function normalPciAddress(text: string): string {
  const t = text.trim().toLowerCase();
  const m = /^(?:([0-9a-f]{4}):)?([0-9a-f]{2}):([0-1][0-9a-f])\.([0-7])$/.exec(t);
  if (!m)
    throw new InvalidInputError(`${text} is not a PCI address`, {
      hint: 'Write it as lspci or `phyllo host devices` shows it: 0000:0b:00.0 (or 0b:00.0).',
    });
  return `${m[1] ?? '0000'}:${m[2]}:${m[3]}.${m[4]}`;
}

/**
 * libvirt-managed passthrough of one function: libvirt unbinds it from its host driver and binds
 * vfio-pci when the VM starts, and gives it back when the VM stops.
 */
export function hostdevElement(address: string): XmlNode {
  const [domain, bus, slotFn] = normalPciAddress(address).split(':') as [string, string, string];
  const [slot, fn] = slotFn.split('.') as [string, string];
  return el('hostdev', { mode: 'subsystem', type: 'pci', managed: 'yes' }, [
    el('source', {}, [
      el('address', { domain: `0x${domain}`, bus: `0x${bus}`, slot: `0x${slot}`, function: `0x${fn}` }),
    ]),
  ]);
}
