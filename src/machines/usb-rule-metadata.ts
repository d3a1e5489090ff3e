/**
 * USB rules as the VM's Phyllome metadata keeps them, so they travel with its definition (clone,
 * move, a bundle):
 *
 *   <phyllome:vm xmlns:phyllome="https://phyllo.me/xmlns/vm/1.0">
 *     …
 *     <phyllome:usb-rules>
 *       <phyllome:usb-rule vendor="1050" product="0407" serial="0012345678"/>
 *     </phyllome:usb-rules>
 *   </phyllome:vm>
 *
 * Pure XML: the commands that change them are in src/devices/usb-rule-store.ts.
 */
import { PHYLLOME_NS } from '../model/domain-xml/build-domain.js';
import { child, childrenNamed, el, type XmlNode } from '../xml/node.js';

export interface UsbRuleSpec {
  vendorId: string;
  productId: string;
  /** The device's serial number (iSerial), when the rule is for one device of that kind only. */
  serial?: string;
}

/** `VID:PID[:SERIAL]`, or undefined; the serial is any run of printable characters but spaces and quotes. */
export function readUsbRuleText(text: string): UsbRuleSpec | undefined {
  const m = /^([0-9a-f]{4}):([0-9a-f]{4})(?::([\x21-\x7e]{1,126}))?$/i.exec(text.trim());
  if (!m || (m[3] !== undefined && /["'<>&]/.test(m[3]))) return undefined;
  return {
    vendorId: m[1]!.toLowerCase(),
    productId: m[2]!.toLowerCase(),
    ...(m[3] !== undefined ? { serial: m[3] } : {}),
  };
}

export const ruleId = (r: UsbRuleSpec): string =>
  `${r.vendorId}:${r.productId}${r.serial !== undefined ? `:${r.serial}` : ''}`;

/** The rule an element records (`vendor`, `product`, `serial` attributes), or undefined. */
export function usbRuleOf(node: XmlNode): UsbRuleSpec | undefined {
  const a = node.attrs;
  return readUsbRuleText(
    `${a.vendor ?? ''}:${a.product ?? ''}${a.serial !== undefined ? `:${a.serial}` : ''}`,
  );
}

/** The element that records a rule, named `name` (with the caller's namespace prefix). */
export function usbRuleElement(name: string, r: UsbRuleSpec): XmlNode {
  return el(name, { vendor: r.vendorId, product: r.productId, serial: r.serial });
}

function phyllomeVm(domain: XmlNode): XmlNode | undefined {
  return child(domain, 'metadata')?.children.find(
    (c) => c.name.split(':').pop() === 'vm' && Object.values(c.attrs).includes(PHYLLOME_NS),
  );
}

const prefixOf = (node: XmlNode): string => (node.name.includes(':') ? node.name.split(':')[0] + ':' : '');

/** The rules recorded in a domain XML; a malformed record is left out rather than guessed. */
export function readUsbRules(domain: XmlNode): UsbRuleSpec[] {
  const vm = phyllomeVm(domain);
  if (!vm) return [];
  const p = prefixOf(vm);
  return childrenNamed(child(vm, `${p}usb-rules`), `${p}usb-rule`).flatMap((r) => {
    const rule = usbRuleOf(r);
    return rule ? [rule] : [];
  });
}

/** The domain (changed in place and returned) with exactly these rules recorded. */
export function writeUsbRules(domain: XmlNode, rules: UsbRuleSpec[]): XmlNode {
  let meta = child(domain, 'metadata');
  if (!meta) {
    meta = el('metadata');
    // libvirt's schema keeps <metadata> among the first elements: after name, uuid, title, description.
    const at = domain.children.findIndex(
      (c) => !['name', 'uuid', 'genid', 'title', 'description'].includes(c.name),
    );
    domain.children.splice(at < 0 ? domain.children.length : at, 0, meta);
  }
  let vm = phyllomeVm(domain);
  if (!vm) {
    vm = el('phyllome:vm', { 'xmlns:phyllome': PHYLLOME_NS });
    meta.children.push(vm);
  }
  const p = prefixOf(vm);
  vm.children = vm.children.filter((c) => c.name !== `${p}usb-rules`);
  if (rules.length)
    vm.children.push(
      el(
        `${p}usb-rules`,
        {},
        rules.map((r) => usbRuleElement(`${p}usb-rule`, r)),
      ),
    );
  return domain;
}
