// Checks of the VM page's forms before anything is sent, in the words the server would use (the
// server checks again: src/model/size.ts, which sizes here use too, src/model/options.ts). Pure: tested
// in forms.test.ts.

import { PhyllomeError } from '../../../src/errors.js';
import { parseMemoryBytes } from '../../../src/model/size.js';

const MiB = 2 ** 20;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * A memory size as the API takes it (`4G`, `1536M`, `2.5GiB`; a bare number is MiB), in bytes: read by
 * the server's own parser (src/model/size.ts), so the form refuses what the server would, in its words.
 */
export function parseMemory(text: string): Checked<number> {
  try {
    return { ok: true, value: parseMemoryBytes(text.trim(), 'Memory') };
  } catch (err) {
    if (!(err instanceof PhyllomeError)) throw err;
    return { ok: false, error: `${err.message}.${err.hint ? ` ${err.hint}` : ''}` };
  }
}

/** A vCPU count: a whole number from 1 to 4096. */
export function parseVcpus(text: string): Checked<number> {
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 4096)
    return { ok: false, error: `vCPUs must be a whole number from 1 to 4096, not "${t}".` };
  return { ok: true, value: Number(t) };
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,62}$/;

/** A VM name libvirt and file systems accept (src/model/options.ts validateName). */
export function checkVmName(name: string): Checked<string> {
  if (name === '') return { ok: false, error: 'Give the new VM a name.' };
  if (name.length > 63)
    return { ok: false, error: `The name is ${name.length} characters long; at most 63.` };
  if (!NAME_RE.test(name)) {
    const bad = [...name].find(
      (ch, i) => !/[A-Za-z0-9._+-]/.test(ch) || (i === 0 && !/[A-Za-z0-9]/.test(ch)),
    );
    return {
      ok: false,
      error:
        bad && /[._+-]/.test(bad) && name.startsWith(bad)
          ? `The name may not start with "${bad}".`
          : `The name may not contain "${bad ?? '?'}": use letters, digits, and . _ + -`,
    };
  }
  return { ok: true, value: name };
}

/** A snapshot name: not empty, at most 200 characters, no XML-special or control characters. */
export function checkSnapshotName(name: string): Checked<string> {
  const n = name.trim();
  if (n === '') return { ok: false, error: 'Give the snapshot a name.' };
  if (n.length > 200) return { ok: false, error: 'A snapshot name has at most 200 characters.' };
  // eslint-disable-next-line no-control-regex
  if (/[<>&"'\u0000-\u001f\u007f/]/.test(n))
    return { ok: false, error: 'A snapshot name may not contain < > & " \' / or control characters.' };
  return { ok: true, value: n };
}

/** An ISO path to insert: absolute (the server allows only its allowed directories). */
export function checkMediaPath(path: string): Checked<string> {
  const p = path.trim();
  if (p === '') return { ok: false, error: 'Give the path of the ISO to insert.' };
  if (!p.startsWith('/'))
    return { ok: false, error: `The path must be absolute (start with /), not "${p}".` };
  return { ok: true, value: p };
}

/** A default name for a clone: NAME-clone, NAME-clone2… not among `taken`. */
export function suggestCloneName(name: string, taken: readonly string[]): string {
  const base = `${name}-clone`.slice(0, 63);
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) {
    const n = `${base.slice(0, 63 - String(i).length)}${i}`;
    if (!taken.includes(n)) return n;
  }
}

/** The settings form's changes against what the VM has: only what differs is sent (autostart has its own switch). */
export function settingsChanges(
  form: { memory: string; vcpus: string },
  current: { memoryBytes: number | null; vcpus: number | null },
): Checked<{ memory?: string; vcpus?: number }> {
  const body: { memory?: string; vcpus?: number } = {};
  if (form.memory.trim() !== '') {
    const m = parseMemory(form.memory);
    if (!m.ok) return m;
    if (m.value !== current.memoryBytes) body.memory = form.memory.trim();
  }
  if (form.vcpus.trim() !== '') {
    const v = parseVcpus(form.vcpus);
    if (!v.ok) return v;
    if (v.value !== current.vcpus) body.vcpus = v.value;
  }
  if (Object.keys(body).length === 0)
    return { ok: false, error: 'Nothing to change: the VM has these settings.' };
  return { ok: true, value: body };
}

/** A memory size for the form's first value: `2G`, `1536M`. */
export function memoryText(bytes: number | null): string {
  if (bytes === null) return '';
  const mib = Math.round(bytes / MiB);
  return mib % 1024 === 0 ? `${mib / 1024}G` : `${mib}M`;
}

/** A job's progress as a fraction from 0 to 1, or undefined when its total is not known. */
export function jobFraction(
  p: { done: number; total?: number } | undefined,
  ended: boolean,
): number | undefined {
  if (ended) return 1;
  if (!p || !p.total || p.total <= 0) return undefined;
  return Math.min(1, Math.max(0, p.done / p.total));
}
