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
