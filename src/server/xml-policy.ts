/**
 * What a domain XML sent over the API may change (`PUT /api/vms/{name}/xml`), on top of libvirt's
 * own validation: every file path it names that the VM's definition did not name already must be
 * inside an allowed directory (`allowed-path.ts`): a disk, a kernel, an emulator, a socket, a path
 * in Phyllome's metadata (which `vm delete` acts on). Elements in other XML namespaces outside
 * <metadata> (`<qemu:commandline>`, which hands options straight to QEMU) and security labels
 * (`<seclabel>`: which user QEMU runs as, and its confinement) may only stay as they are. A DOCTYPE
 * is refused: its entities could hide a path from this check.
 */
import { PhyllomeError } from '../errors.js';
import type { XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';
import { allowedPath } from './allowed-path.js';

export class XmlNotAllowedError extends PhyllomeError {
  override name = 'XmlNotAllowedError';
  constructor(what: string) {
    super('xml-not-allowed', `The XML is refused: ${what}; the VM is unchanged.`, {
      hint: 'Over the API an edit may not add these; change them on the host itself (phyllo vm edit, virsh edit).',
    });
  }
}

/** Attributes that hold a file path whatever their value looks like. */
const PATH_ATTRS = new Set(['file', 'dir', 'dev', 'path', 'socket', 'template', 'script', 'nvram']);
/** Elements whose text is a file path. */
const PATH_TEXT = new Set(['emulator', 'loader', 'nvram', 'kernel', 'initrd', 'dtb', 'block', 'char']);
/** Free text a person writes: not read as paths. */
const PROSE = new Set(['title', 'description']);

/** Numeric character references, which the parser leaves as they are (libvirt decodes them). */
function decodeRefs(s: string): string {
  return s.replace(/&#(x[0-9a-f]+|[0-9]+);/gi, (m, n: string) => {
    const code = n[0] === 'x' || n[0] === 'X' ? parseInt(n.slice(1), 16) : parseInt(n, 10);
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

/** Every file path in the tree, each with where it was found. */
function pathsOf(node: XmlNode, out = new Map<string, string>()): Map<string, string> {
  for (const [k, raw] of Object.entries(node.attrs)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
    const v = decodeRefs(raw);
    if (PATH_ATTRS.has(k) || v.startsWith('/')) out.set(v, `<${node.name} ${k}>`);
  }
  if (node.text !== undefined && !PROSE.has(node.name)) {
    const t = decodeRefs(node.text).trim();
    if (PATH_TEXT.has(node.name) || t.startsWith('/')) out.set(t, `<${node.name}>`);
  }
  for (const c of node.children) pathsOf(c, out);
  return out;
}

/** Serialized elements that may only stay as they were: other namespaces (outside <metadata>), <seclabel>. */
function guarded(node: XmlNode, isRoot = true, out: string[] = []): string[] {
  if (isRoot && node.attrs.xmlns !== undefined) out.push(`xmlns=${node.attrs.xmlns}`);
  for (const c of node.children) {
    if (c.name === 'metadata') continue;
    const foreign =
      c.name.includes(':') || Object.keys(c.attrs).some((k) => k === 'xmlns' || k.startsWith('xmlns:'));
    if (foreign || c.name === 'seclabel') out.push(serializeXml(c));
    else guarded(c, false, out);
  }
  return out;
}

/**
 * Checks an edited domain XML against the VM's definition (`original`); throws `path-not-allowed`
 * or `xml-not-allowed`. `remote`: the paths name files on another host (checked lexically).
 */
export function checkEditedXml(
  original: string,
  edited: string,
  dirs: readonly string[],
  remote: boolean,
): void {
  if (/<!DOCTYPE|<!ENTITY/i.test(edited))
    throw new XmlNotAllowedError('it has a DOCTYPE or an entity declaration');
  const before = parseXml(original, 'the VM’s definition');
  const after = parseXml(edited, 'the XML sent');
  const had = new Set(guarded(before));
  for (const g of guarded(after))
    if (!had.has(g)) {
      const what = /^<([^\s/>]+)/.exec(g)?.[1] ?? g;
      throw new XmlNotAllowedError(
        what === 'seclabel'
          ? 'it adds or changes a <seclabel> (the user and confinement QEMU runs with)'
          : `it adds or changes <${what}>, an element outside libvirt's domain schema (such as <qemu:commandline>, options passed straight to QEMU)`,
      );
    }
  const known = pathsOf(before);
  for (const [path, where] of pathsOf(after))
    if (!known.has(path)) allowedPath(path, dirs, `the path in ${where}`, remote);
}
