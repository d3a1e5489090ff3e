/**
 * `vm edit`: the VM's persistent domain XML (inactive, with secrets and our metadata) goes through
 * an edit step; a changed XML is defined with libvirt's schema validation and replaces the VM's
 * definition only if libvirt accepts it. A refusal leaves the previous definition in place.
 */
import { DefineFlags, DomainXmlFlags, type Libvirt } from '../libvirt/index.js';
import { VmEditIdentityError, VmEditRejectedError } from './errors.js';
import { findVm } from './find-vm.js';
import { withVmLock } from './vm-lock.js';

export interface EditOutcome {
  name: string;
  changed: boolean;
  /** The definition now in place (the old one when unchanged). */
  xml: string;
  /** Whether the VM is running: its changes then apply at its next start. */
  running: boolean;
}

/**
 * One round of editing. `edit` gets the XML to show and returns the edited text; `retry` is asked
 * after libvirt refused one (with the refusal) and returns whether to edit that text again.
 */
export async function editVm(
  lv: Libvirt,
  name: string,
  edit: (xml: string) => Promise<string>,
  retry: (err: VmEditRejectedError) => Promise<boolean> = async () => false,
): Promise<EditOutcome> {
  const dom = await findVm(lv, name);
  return withVmLock(lv, dom, 'edit', async () => {
    const original = await dom.xml(DomainXmlFlags.INACTIVE | DomainXmlFlags.SECURE);
    const running = (await dom.state()).state !== 'shutoff';
    let text = original;
    for (;;) {
      text = await edit(text);
      if (text === original) return { name, changed: false, xml: original, running };
      for (const [tag, what] of [
        ['name', 'name'],
        ['uuid', 'UUID'],
      ] as const)
        if (elementText(text, tag) !== elementText(original, tag)) throw new VmEditIdentityError(name, what);
      try {
        await lv.domains.define(text, DefineFlags.VALIDATE);
        return { name, changed: true, xml: await dom.xml(DomainXmlFlags.INACTIVE), running };
      } catch (err) {
        const rejected = new VmEditRejectedError(name, err instanceof Error ? err.message : String(err), err);
        if (!(await retry(rejected))) throw rejected;
      }
    }
  });
}

/** The text of the domain's own top-level `<name>`/`<uuid>` (the first one: libvirt puts them first). */
function elementText(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1]?.trim();
}

/** The VM's persistent definition as `editVm` shows it for editing (inactive, with secrets and our metadata). */
export async function vmDefinition(lv: Libvirt, name: string): Promise<{ name: string; xml: string }> {
  const dom = await findVm(lv, name);
  return { name: dom.name, xml: await dom.xml(DomainXmlFlags.INACTIVE | DomainXmlFlags.SECURE) };
}
