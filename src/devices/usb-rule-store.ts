/**
 * USB rules live in the VM's Phyllome metadata (src/machines/usb-rule-metadata.ts), so they travel
 * with its definition (clone, move, a bundle). Changed through `vm edit`'s path (under the VM's lock;
 * libvirt validates the definition).
 */
import { DomainXmlFlags, type Libvirt } from '../libvirt/index.js';
import { editVm } from '../machines/edit-vm.js';
import { findVm } from '../machines/find-vm.js';
import { readUsbRules, writeUsbRules } from '../machines/usb-rule-metadata.js';
import { parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';
import { UsbRuleExistsError, UsbRuleNotFoundError } from './usb-errors.js';
import { parseUsbRule, ruleId, type UsbRuleSpec } from './usb-xml.js';

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
