/** The `<filesystem>` element of a virtiofs share and the tags it accepts. Pure. */
import { InvalidInputError } from '../errors.js';
import { el, type XmlNode } from '../xml/node.js';

export interface ShareSpec {
  /** The directory on the VM's host. */
  dir: string;
  /** What the guest mounts it by: `mount -t virtiofs TAG /mnt`. */
  tag: string;
  readonly: boolean;
}

/** QEMU's vhost-user-fs takes a tag of at most 36 bytes (the virtio-fs config field's size). */
export const MAX_TAG_BYTES = 36;

/** The tag as given, or a typed error: 1–36 bytes of letters, digits, `.`, `_`, `-`. */
export function checkTag(tag: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(tag) || Buffer.byteLength(tag) > MAX_TAG_BYTES)
    throw new InvalidInputError(`"${tag}" cannot be a share tag`, {
      hint: `Use 1 to ${MAX_TAG_BYTES} letters, digits, dots, underscores or dashes (the guest mounts it by this name).`,
    });
  return tag;
}

export function shareElement(spec: ShareSpec): XmlNode {
  return el('filesystem', { type: 'mount', accessmode: 'passthrough' }, [
    el('driver', { type: 'virtiofs' }),
    el('source', { dir: spec.dir }),
    el('target', { dir: spec.tag }),
    spec.readonly && el('readonly'),
  ]);
}
