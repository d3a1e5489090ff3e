import { escapeXml } from '../xml/serialize.js';

export interface VolumeXmlOptions {
  /** The image format; default raw. */
  format?: string;
  /** Nothing allocated up front: the file starts as one hole (what a sparse copy writes into). */
  sparse?: boolean;
  /** A `<permissions>` element (volumePermissions of a source), or a mode such as 0o600. */
  permissions?: string | number;
}

/**
 * A volume's `<format>`, and for qcow2 `<compat>1.1</compat>`: qcow2 version 3, what `qemu-img create`
 * and virt-install make (zero clusters, lazy refcounts possible). Without it libvirt 9 asks qemu-img for
 * `compat=0.10`, the version 2 format of 2011.
 */
export function formatXml(format: string): string {
  return `<format type='${escapeXml(format)}'/>${format === 'qcow2' ? '<compat>1.1</compat>' : ''}`;
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
    `<target>${formatXml(opts.format ?? 'raw')}${perms}</target></volume>`
  );
}
