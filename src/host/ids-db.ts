import type { RootFs } from './root-fs.js';

/** The next vendor line: four hex digits at the start of a line (device lines start with a tab). */
const VENDOR_LINE = /\n[0-9a-f]{4} {2}/g;

/**
 * A reader for the `pci.ids` / `usb.ids` format: vendor lines `10de  NVIDIA Corporation`, device
 * lines one tab in, subsystem lines two tabs in; after the vendors, class lines `C 03  Display
 * controller` with subclasses one tab in and programming interfaces two tabs in. Lookups search the
 * raw bytes on demand and decode only the blocks they need: a report needs a few dozen names out of
 * 40,000 lines, and decoding the whole 1.3 MB file would cost more than the rest of the probe.
 */
export class IdsDb {
  private readonly data: Buffer;
  private readonly latin: string;
  private readonly classStart: number;
  private readonly vendorCache = new Map<string, string | null>();
  private classText: string | undefined;

  constructor(
    data: Buffer | string,
    /** Where it was read from, for the report. */
    readonly source: string,
  ) {
    this.data = typeof data === 'string' ? Buffer.from(data) : data;
    this.latin = this.data.toString('latin1');
    this.classStart = findClassStart(this.latin);
  }

  /** The text of one vendor: its line and the indented lines after it, up to the next vendor line. */
  private vendorBlock(vendorId: string): string | null {
    const v = vendorId.toLowerCase();
    const cached = this.vendorCache.get(v);
    if (cached !== undefined) return cached;
    let result: string | null = null;
    // latin1 maps each byte to one character, so offsets in `latin` are byte offsets in `data`.
    const at = this.latin.startsWith(`${v}  `) ? 0 : this.latin.indexOf(`\n${v}  `);
    if (at >= 0 && at < this.classStart) {
      const start = at === 0 ? 0 : at + 1;
      VENDOR_LINE.lastIndex = start;
      const next = VENDOR_LINE.exec(this.latin);
      const end = next && next.index < this.classStart ? next.index + 1 : this.classStart;
      result = this.data.toString('utf8', start, end);
    }
    this.vendorCache.set(v, result);
    return result;
  }

  vendor(vendorId: string): string | undefined {
    const block = this.vendorBlock(vendorId);
    if (block === null) return undefined;
    const nl = block.indexOf('\n');
    return block.slice(vendorId.length + 2, nl < 0 ? undefined : nl).trim() || undefined;
  }

  device(vendorId: string, deviceId: string): string | undefined {
    const block = this.vendorBlock(vendorId);
    if (block === null) return undefined;
    const d = deviceId.toLowerCase();
    const i = block.indexOf(`\n\t${d}  `);
    if (i < 0) return undefined;
    const end = block.indexOf('\n', i + 1);
    return block.slice(i + 2 + d.length, end < 0 ? undefined : end).trim();
  }

  /** Class names: [class, subclass, prog-if] as far as they are listed (`03`, `00`, `00`). */
  className(classHex: string, subclassHex?: string, progIfHex?: string): string[] {
    this.classText ??= '\n' + this.data.toString('utf8', this.classStart) + '\n';
    const section = this.classText;
    const names: string[] = [];
    const lineAfter = (text: string, prefix: string): { name: string; end: number } | undefined => {
      const i = text.indexOf(prefix);
      if (i < 0) return undefined;
      const end = text.indexOf('\n', i + prefix.length);
      return { name: text.slice(i + prefix.length, end).trim(), end };
    };
    const c = classHex.toLowerCase();
    const cls = lineAfter(section, `\nC ${c}  `);
    if (!cls) return names;
    names.push(cls.name);
    const next = section.indexOf('\nC ', cls.end);
    const block = section.slice(cls.end, next < 0 ? undefined : next + 1);
    if (!subclassHex) return names;
    const sub = lineAfter(block, `\n\t${subclassHex.toLowerCase()}  `);
    if (!sub) return names;
    names.push(sub.name);
    if (!progIfHex) return names;
    const rest = block.slice(sub.end);
    const stop = rest.search(/\n\t[0-9a-f]/);
    const progIfs = (stop < 0 ? rest : rest.slice(0, stop)) + '\n';
    const prog = lineAfter(progIfs, `\n\t\t${progIfHex.toLowerCase()}  `);
    if (prog) names.push(prog.name);
    return names;
  }
}

const CLASS_LINE = /^C [0-9a-f]{2} {2}/;

/** Where the class table starts: the first line `C xx  name`. */
function findClassStart(text: string): number {
  if (CLASS_LINE.test(text.slice(0, 7))) return 0;
  for (let i = text.indexOf('\nC '); i >= 0; i = text.indexOf('\nC ', i + 1))
    if (CLASS_LINE.test(text.slice(i + 1, i + 8))) return i + 1;
  return text.length;
}

/** Where distributions keep the files: Debian `usr/share/misc`, Fedora and Arch `usr/share/hwdata`. */
const ID_DIRS = ['usr/share/misc', 'usr/share/hwdata'];

/** Loads `pci.ids` or `usb.ids` from below the root, or undefined when neither location has it. */
export function loadIdsDb(fs: RootFs, file: 'pci.ids' | 'usb.ids'): IdsDb | undefined {
  for (const dir of ID_DIRS) {
    const b = fs.bytes(`${dir}/${file}`);
    if (b.known) return new IdsDb(b.value, `/${dir}/${file}`);
  }
  return undefined;
}
