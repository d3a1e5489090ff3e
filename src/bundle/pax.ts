/**
 * pax extended header records, "LEN key=value\n" where LEN (decimal) counts the whole record.
 * The writer uses them for long names, sizes past the octal field and GNU sparse 1.0; the reader
 * keeps only those keys and refuses anything malformed rather than guessing.
 */

/** Largest pax header the reader takes: ours are a few hundred bytes; GNU tar's, with times, too. */
export const PAX_MAX = 64 * 1024;

export function encodePaxRecords(records: readonly (readonly [string, string])[]): Buffer {
  return Buffer.from(records.map(([key, value]) => paxRecord(key, value)).join(''), 'utf8');
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(body, 'utf8');
  // LEN includes its own digits; one more digit can push it over a power of ten.
  let length = bytes + String(bytes).length;
  if (String(length).length !== String(length - bytes).length) length = bytes + String(length).length;
  return `${length}${body}`;
}

/** What a pax header says about the next entry. */
export interface PaxFields {
  path?: string;
  size?: number;
  sparse?: { name: string; realSize: number };
}

/** A pax header that breaks a rule: the reader turns it into a BundleFormatError. */
export class PaxProblem extends Error {
  constructor(
    readonly reason: 'pax-record' | 'sparse-version',
    message: string,
  ) {
    super(message);
  }
}

/** The records of a pax header's data, in order; throws PaxProblem on the first bad one. */
export function parsePaxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const digits = space === -1 ? '' : data.toString('latin1', at, space);
    if (!/^[1-9][0-9]{0,5}$/.test(digits))
      throw new PaxProblem('pax-record', `pax record at byte ${at} has no valid length`);
    const length = Number(digits);
    const end = at + length;
    if (end > data.length || length < digits.length + 4)
      throw new PaxProblem('pax-record', `pax record at byte ${at} has a bad length ${length}`);
    if (data[end - 1] !== 0x0a)
      throw new PaxProblem('pax-record', `pax record at byte ${at} does not end with a newline`);
    const text = data.toString('utf8', space + 1, end - 1);
    const eq = text.indexOf('=');
    if (eq < 1) throw new PaxProblem('pax-record', `pax record at byte ${at} has no "key="`);
    const key = text.slice(0, eq);
    if (records.has(key)) throw new PaxProblem('pax-record', `pax record "${key}" appears twice`);
    records.set(key, text.slice(eq + 1));
    at = end;
  }
  return records;
}

const SPARSE_KEYS = new Set([
  'GNU.sparse.major',
  'GNU.sparse.minor',
  'GNU.sparse.name',
  'GNU.sparse.realsize',
]);

/**
 * The keys a bundle uses. Times, owners and other keys GNU tar adds are ignored; any other
 * `GNU.sparse.*` key belongs to the 0.x sparse formats, which are refused.
 */
export function paxFields(records: Map<string, string>): PaxFields {
  const fields: PaxFields = {};
  const path = records.get('path');
  if (path !== undefined) fields.path = path;
  const size = records.get('size');
  if (size !== undefined) fields.size = decimal(size, 'size');
  const sparseKeys = [...records.keys()].filter((k) => k.startsWith('GNU.sparse.'));
  const unknown = sparseKeys.find((k) => !SPARSE_KEYS.has(k));
  if (unknown)
    throw new PaxProblem(
      'sparse-version',
      `pax record "${unknown}" is from a GNU sparse format other than 1.0`,
    );
  if (sparseKeys.length === 0) return fields;
  const major = records.get('GNU.sparse.major');
  const minor = records.get('GNU.sparse.minor');
  if (major !== '1' || minor !== '0')
    throw new PaxProblem(
      'sparse-version',
      `GNU sparse version ${major ?? '?'}.${minor ?? '?'} is not supported (only 1.0)`,
    );
  const name = records.get('GNU.sparse.name');
  const realSize = records.get('GNU.sparse.realsize');
  if (name === undefined || realSize === undefined)
    throw new PaxProblem(
      'pax-record',
      'a GNU sparse 1.0 header lacks GNU.sparse.name or GNU.sparse.realsize',
    );
  if (path !== undefined && path !== name)
    throw new PaxProblem('pax-record', 'pax "path" and "GNU.sparse.name" name different files');
  fields.sparse = { name, realSize: decimal(realSize, 'GNU.sparse.realsize') };
  return fields;
}

/** A pax number: plain decimal digits, no sign, no leading zero, a safe integer. */
function decimal(value: string, key: string): number {
  const n = Number(value);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(value) || !Number.isSafeInteger(n))
    throw new PaxProblem('pax-record', `pax record "${key}" is not a decimal number`);
  return n;
}
