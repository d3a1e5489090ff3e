/** BigInt values (libvirt's hyper) print as numbers when safe, else as strings. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint')
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  return value;
}
