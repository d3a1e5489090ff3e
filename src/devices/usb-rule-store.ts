/**
 * USB rules live in the VM's Phyllome metadata, so they travel with its definition (clone, move):
 *
 *   <phyllome:vm xmlns:phyllome="https://phyllo.me/xmlns/vm/1.0">
 *     …
 *     <phyllome:usb-rules>
 *       <phyllome:usb-rule vendor="1050" product="0407" serial="0012345678"/>
 *     </phyllome:usb-rules>
 *   </phyllome:vm>
 *
 * Changed through `vm edit`'s path (under the VM's lock; libvirt validates the definition).
 */
import { DomainXmlFlags, type Libvirt } from '../libvirt/index.js';
import { editVm } from '../machines/edit-vm.js';
import { findVm } from '../machines/find-vm.js';
import { PHYLLOME_NS } from '../model/domain-xml/build-domain.js';
import { child, childrenNamed, el, type XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';
import { UsbRuleExistsError, UsbRuleNotFoundError } from './usb-errors.js';
import { parseUsbRule, ruleId, type UsbRuleSpec } from './usb-xml.js';

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
    const text = `${r.attrs.vendor ?? ''}:${r.attrs.product ?? ''}${r.attrs.serial !== undefined ? `:${r.attrs.serial}` : ''}`;
    try {
      return [parseUsbRule(text)];
    } catch {
      return [];
    }
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
        rules.map((r) => el(`${p}usb-rule`, { vendor: r.vendorId, product: r.productId, serial: r.serial })),
      ),
    );
  return domain;
}

const sameRule = (a: UsbRuleSpec, b: UsbRuleSpec): boolean => ruleId(a) === ruleId(b);

export interface UsbRuleChange {
  vm: string;
  rule: string;
  rules: string[];
  /** Whether the VM runs: a running one gets matching devices when they appear (with `usb watch` or `serve`). */
  running: boolean;
}

async function changeRules(
  lv: Libvirt,
  vm: string,
  text: string,
  change: (rules: UsbRuleSpec[], rule: UsbRuleSpec) => UsbRuleSpec[],
): Promise<UsbRuleChange> {
  const rule = parseUsbRule(text);
  await findVm(lv, vm);
  let rules: UsbRuleSpec[] = [];
  const out = await editVm(lv, vm, async (xml) => {
    const domain = parseXml(xml, `the domain XML of ${vm}`);
    rules = change(readUsbRules(domain), rule);
    return serializeXml(writeUsbRules(domain, rules));
  });
  return { vm: out.name, rule: ruleId(rule), rules: rules.map(ruleId), running: out.running };
}

export function addUsbRule(lv: Libvirt, vm: string, text: string): Promise<UsbRuleChange> {
  return changeRules(lv, vm, text, (rules, rule) => {
    if (rules.some((r) => sameRule(r, rule))) throw new UsbRuleExistsError(ruleId(rule), vm);
    return [...rules, rule];
  });
}

export function removeUsbRule(lv: Libvirt, vm: string, text: string): Promise<UsbRuleChange> {
  return changeRules(lv, vm, text, (rules, rule) => {
    if (!rules.some((r) => sameRule(r, rule)))
      throw new UsbRuleNotFoundError(ruleId(rule), vm, rules.map(ruleId));
    return rules.filter((r) => !sameRule(r, rule));
  });
}

export interface VmUsbRules {
  vm: string;
  rules: (UsbRuleSpec & { id: string })[];
}

/** The rules of one VM, or of every VM that has any. */
export async function listUsbRules(lv: Libvirt, vm?: string): Promise<VmUsbRules[]> {
  const doms = vm === undefined ? await lv.domains.list() : [await findVm(lv, vm)];
  const out: VmUsbRules[] = [];
  for (const d of doms) {
    const xml = await d.xml(DomainXmlFlags.INACTIVE).catch(() => undefined);
    if (xml === undefined) continue;
    const rules = readUsbRules(parseXml(xml, `the domain XML of ${d.name}`)).map((r) => ({
      ...r,
      id: ruleId(r),
    }));
    if (rules.length || vm !== undefined) out.push({ vm: d.name, rules });
  }
  return out.sort((a, b) => a.vm.localeCompare(b.vm));
}
