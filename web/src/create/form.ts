// The create wizard's form: what the user typed, the request bodies built from it, and the checks the
// server makes that the browser can make at once (the name), in the server's own words.

/** The wizard's fields; an empty string means "let the model decide". */
export interface CreateForm {
  /** Host id (GET /api/hosts); empty: the server's first host. */
  host: string;
  /** How the OS is chosen: a profile / osinfo id, or detected from an ISO. */
  osMode: 'pick' | 'detect';
  /** A profile id (`linux`) or an osinfo-db short id (`debian12`); empty until chosen or detected. */
  os: string;
  /** The chosen OS's name, for people. */
  osName: string;
  name: string;
  memory: string;
  vcpus: string;
  diskSize: string;
  iso: string;
  drivers: string;
  kernel: string;
  initrd: string;
  cmdline: string;
  diskImage: string;
  network: string;
  display: '' | 'spice' | 'vnc' | 'none';
  start: boolean;
}

export const emptyForm: CreateForm = {
  host: '',
  osMode: 'pick',
  os: '',
  osName: '',
  name: '',
  memory: '',
  vcpus: '',
  diskSize: '',
  iso: '',
  drivers: '',
  kernel: '',
  initrd: '',
  cmdline: '',
  diskImage: '',
  network: '',
  display: '',
  start: true,
};

/** The form fields that are model options (POST /api/vms body and the explain query). */
export const MODEL_FIELDS = [
  'memory',
  'vcpus',
  'diskSize',
  'diskImage',
  'iso',
  'drivers',
  'kernel',
  'initrd',
  'cmdline',
  'display',
  'network',
] as const;
export type ModelField = (typeof MODEL_FIELDS)[number];
export type FormField = ModelField | 'name' | 'os';

/** The fields that name files on the server (checked against its allowed directories). */
export const PATH_FIELDS = ['iso', 'drivers', 'kernel', 'initrd', 'diskImage'] as const;

/** The model options the user set, trimmed; empty ones left out (the model decides them). */
export function modelOptionsOf(form: CreateForm): Partial<Record<ModelField, string | number>> {
  const out: Partial<Record<ModelField, string | number>> = {};
  for (const k of MODEL_FIELDS) {
    const v = k === 'cmdline' ? form[k] : form[k].trim();
    if (v === '') continue;
    out[k] = k === 'vcpus' && /^\d+$/.test(v) ? Number(v) : v;
  }
  return out;
}

/** The body of POST /api/vms for the form (the create itself, or with ?printXml=true a preview). */
export function createBodyOf(form: CreateForm, opts: { preview?: boolean } = {}): Record<string, unknown> {
  return {
    name: form.name.trim(),
    ...(form.os ? { os: form.os } : {}),
    ...modelOptionsOf(form),
    ...(form.start && !opts.preview ? { start: true } : {}),
  };
}

/**
 * The query of GET /api/os/ID/explain: the model options (paths too, so the server checks them against
 * its allowed directories while the user types) and the host. Undefined without an OS.
 */
export function explainRequestOf(
  form: CreateForm,
): { os: string; query: Record<string, string | number> } | undefined {
  if (!form.os) return undefined;
  return { os: form.os, query: { ...modelOptionsOf(form), ...(form.host ? { host: form.host } : {}) } };
}

/** A stable key of a request, to tell when it changed (the debounced explain). */
export const requestKey = (r: unknown): string => JSON.stringify(r ?? null);

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,62}$/;
// eslint-disable-next-line no-control-regex
const UNSAFE_RE = /[<>&"'\u0000-\u001f\u007f]/;

/** The hint the server gives with a bad name (src/model/errors.ts InvalidVmNameError). */
export const NAME_HINT = 'Use 1-63 characters: letters, digits, and . _ + - (not first), e.g. `win11-work`.';

/**
 * What the server says of a bad VM name (src/model/options.ts validateName), in its words, so the form
 * says it as the user types; undefined for a good name. The server checks again at create.
 */
export function nameProblem(raw: string): string | undefined {
  const name = raw.trim();
  if (name === '') return 'The VM name is empty';
  if (UNSAFE_RE.test(name))
    return 'The value of the VM name contains a character that is not allowed (< > & " \' or a control character)';
  if (NAME_RE.test(name)) return undefined;
  if (name.length > 63) return `The VM name is ${name.length} characters long; at most 63 are allowed`;
  const bad = [...name].find((ch, i) => !/[A-Za-z0-9._+-]/.test(ch) || (i === 0 && !/[A-Za-z0-9]/.test(ch)));
  const first = bad !== undefined && name.indexOf(bad) === 0 && /[._+-]/.test(bad) ? ' first' : '';
  return `The VM name ${JSON.stringify(name)} contains ${bad === undefined ? 'a character' : JSON.stringify(bad)}, which is not allowed${first}`;
}

/** A problem shown at a field: the message and the hint, as the server gave them. */
export interface FieldProblem {
  message: string;
  hint?: string | undefined;
}

/** The problems the browser finds by itself (before any request): the name, initrd/cmdline without a kernel. */
export function formProblems(form: CreateForm): Partial<Record<FormField, FieldProblem>> {
  const out: Partial<Record<FormField, FieldProblem>> = {};
  const n = nameProblem(form.name);
  if (n) out.name = { message: n, hint: NAME_HINT };
  if ((form.initrd.trim() || form.cmdline.trim()) && !form.kernel.trim())
    out.kernel = {
      message: '--initrd and --cmdline need --kernel',
      hint: 'Add --kernel PATH for direct kernel boot.',
    };
  return out;
}

const OPTION_FIELD: Record<string, ModelField> = {
  memory: 'memory',
  vcpus: 'vcpus',
  'disk-size': 'diskSize',
  'disk-image': 'diskImage',
  iso: 'iso',
  drivers: 'drivers',
  kernel: 'kernel',
  initrd: 'initrd',
  cmdline: 'cmdline',
  display: 'display',
  network: 'network',
};

const isField = (s: string): s is FormField =>
  s === 'name' || s === 'os' || (MODEL_FIELDS as readonly string[]).includes(s);

/**
 * The field a server error is about, read from its code and message (`kernel "/x" is not allowed…`,
 * `The file given to --kernel does not exist…`, `--memory must be a size…`, `body/memory …`), so the
 * form shows it at that field; undefined when it is about no one field.
 */
export function fieldOfError(err: { code?: string; message?: string } | undefined): FormField | undefined {
  if (!err?.code) return undefined;
  const msg = err.message ?? '';
  switch (err.code) {
    case 'invalid-name':
    case 'vm-exists':
      return 'name';
    case 'network-missing':
      return 'network';
    case 'memory-below-minimum':
    case 'memory-above-host':
      return 'memory';
    case 'unknown-medium':
      return 'iso';
    case 'path-not-allowed': {
      const first = /^(\w+) /.exec(msg)?.[1];
      return first && isField(first) ? first : undefined;
    }
    case 'unknown-os':
      return 'os';
  }
  if (err.code === 'unsafe-value' && msg.includes('the VM name')) return 'name';
  const where = /\b(?:body|querystring)\/(\w+)/.exec(msg)?.[1];
  if (where && isField(where)) return where;
  const option = /--([a-z-]+)/.exec(msg)?.[1];
  if (option && OPTION_FIELD[option]) return OPTION_FIELD[option];
  if (/\bname\b/i.test(msg) && /already|exists|taken/i.test(msg)) return 'name';
  return undefined;
}
