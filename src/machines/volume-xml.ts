import { escapeXml } from '../xml/serialize.js';

export interface VolumeXmlOptions {
  /** The image format; default raw. */
  format?: string;
  /** Nothing allocated up front: the file starts as one hole (what a sparse copy writes into). */
  sparse?: boolean;
  /** A `<permissions>` element (volumePermissions of a source), or a mode such as 0o600. */
  permissions?: string | number;
}

/** The XML of a new file volume `name` of `bytes` bytes, for virStorageVolCreateXML(From). */
export function volumeXml(name: string, bytes: number | bigint, opts: VolumeXmlOptions = {}): string {
  const perms =
    typeof opts.permissions === 'number'
      ? `<permissions><mode>${opts.permissions.toString(8).padStart(4, '0')}</mode></permissions>`
      : (opts.permissions ?? '');
  return (
    `<volume type='file'><name>${escapeXml(name)}</name><capacity unit='bytes'>${bytes}</capacity>` +
    (opts.sparse ? `<allocation unit='bytes'>0</allocation>` : '') +
    `<target><format type='${escapeXml(opts.format ?? 'raw')}'/>${perms}</target></volume>`
  );
}
