import { execFileSync } from 'node:child_process';

/** What `qemu-img info` says of an image (the fields the tests read). */
export interface QemuImgInfo {
  format?: string;
  'actual-size'?: number;
  'virtual-size'?: number;
  'backing-filename'?: string;
  'format-specific'?: { type?: string; data?: { compat?: string } };
}

/** `qemu-img info --output=json -U PATH`: -U reads an image a running QEMU holds locked. */
export function qemuImgInfo(path: string): QemuImgInfo {
  return JSON.parse(
    execFileSync('qemu-img', ['info', '--output=json', '-U', path], { encoding: 'utf8' }),
  ) as QemuImgInfo;
}

/** Where qemu-img writes its header extensions (the feature name table): after the 112-byte qcow2 v3 header, before 512. */
export const QCOW2_EXTENSIONS = [112, 512] as const;

/** Does a qcow2 image hold qemu-img's feature name table (any byte set in QCOW2_EXTENSIONS)? */
export function hasFeatureNameTable(image: Buffer): boolean {
  return image.subarray(...QCOW2_EXTENSIONS).some((b) => b !== 0);
}
