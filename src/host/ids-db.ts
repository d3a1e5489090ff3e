import type { RootFs } from './root-fs.js';

/**
 * A reader for the `pci.ids` / `usb.ids` format: vendor lines `10de  NVIDIA Corporation`, device
 * lines one tab in, subsystem lines two tabs in; after the vendors, class lines `C 03  Display
 * controller` with subclasses one tab in and programming interfaces two tabs in. Lookups search the
 * text on demand instead of parsing all of it: a report needs a few dozen names out of 40,000 lines.
 */
export class IdsDb {
  private readonly classStart: number;
  private readonly vendorCache = new Map<string, { start: number; end: number } | null>();

  constructor(
    readonly text: string,
    /** Where it was read from, for the report. */
    readonly source: string,
  ) {
    const c = text.search(/^C [0-9a-f]{2}\s/m);
    this.classStart = c < 0 ? text.length : c;
  }

  /** The block of one vendor: its line and the indented lines after it. */
  private vendorBlock(vendorId: string): { start: number; end: number } | null {
    const v = vendorId.toLowerCase();
    const cached = this.vendorCache.get(v);
    if (cached !== undefined) return cached;
    let result: { start: number; end: number } | null = null;
    const at = this.text.startsWith(`${v}  `) ? 0 : this.text.indexOf(`\n${v}  `);
    if (at >= 0 && at < this.classStart) {
      const start = at === 0 ? 0 : at + 1;
      const next = this.text.slice(start + 1).search(/\n[0-9a-fA-FC]/);
      result = { start, end: next < 0 ? this.classStart : start + 1 + next + 1 };
    }
    this.vendorCache.set(v, result);
    return result;
  }

  private lineName(line: string | undefined, prefix: string): string | undefined {
    return line !== undefined && line.startsWith(prefix) ? line.slice(prefix.length).trim() : undefined;
  }

  vendor(vendorId: string): string | undefined {
    const b = this.vendorBlock(vendorId);
    if (!b) return undefined;
    const line = this.text.slice(b.start, this.text.indexOf('\n', b.start));
    return this.lineName(line, `${vendorId.toLowerCase()}  `);
  }

  device(vendorId: string, deviceId: string): string | undefined {
    const b = this.vendorBlock(vendorId);
    if (!b) return undefined;
    const block = this.text.slice(b.start, b.end);
    const d = deviceId.toLowerCase();
    const i = block.indexOf(`\n\t${d}  `);
    if (i < 0) return undefined;
    const end = block.indexOf('\n', i + 1);
    return block.slice(i + 2 + d.length, end < 0 ? undefined : end).trim();
  }

  /** Class names: [class, subclass, prog-if] as far as they are listed (`03`, `00`, `00`). */
  className(classHex: string, subclassHex?: string, progIfHex?: string): string[] {
    const section = this.text.slice(this.classStart);
    const names: string[] = [];
    const c = classHex.toLowerCase();
    const ci = section.startsWith(`C ${c}  `) ? 0 : section.indexOf(`\nC ${c}  `);
    if (ci < 0) return names;
    const next = section.slice(ci + 2).search(/\nC /);
    const block = section.slice(ci, next < 0 ? undefined : ci + 2 + next);
    const firstNl = block.indexOf('\n', 1);
    names.push(
      block.slice(block.indexOf(`C ${c}  `) + 4 + c.length, firstNl < 0 ? undefined : firstNl).trim(),
    );
    if (!subclassHex) return names;
    const s = subclassHex.toLowerCase();
    const si = block.indexOf(`\n\t${s}  `);
    if (si < 0) return names;
    const se = block.indexOf('\n', si + 1);
    names.push(block.slice(si + 3 + s.length, se < 0 ? undefined : se).trim());
    if (!progIfHex) return names;
    const p = progIfHex.toLowerCase();
    const rest = block.slice(se < 0 ? block.length : se);
    const stop = rest.search(/\n\t[0-9a-f]/);
    const sub = stop < 0 ? rest : rest.slice(0, stop);
    const pi = sub.indexOf(`\n\t\t${p}  `);
    if (pi >= 0) {
      const pe = sub.indexOf('\n', pi + 1);
      names.push(sub.slice(pi + 4 + p.length, pe < 0 ? undefined : pe).trim());
    }
    return names;
  }
}

/** Where distributions keep the files: Debian `usr/share/misc`, Fedora and Arch `usr/share/hwdata`. */
const ID_DIRS = ['usr/share/misc', 'usr/share/hwdata'];

/** Loads `pci.ids` or `usb.ids` from below the root, or undefined when neither location has it. */
export function loadIdsDb(fs: RootFs, file: 'pci.ids' | 'usb.ids'): IdsDb | undefined {
  for (const dir of ID_DIRS) {
    const t = fs.text(`${dir}/${file}`);
    if (t.known) return new IdsDb(t.value, `/${dir}/${file}`);
  }
  return undefined;
}
