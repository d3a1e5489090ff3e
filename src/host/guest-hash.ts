import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { GuestImage } from './guest-image.js';

/** What identifies a file's contents without reading it: a rewrite changes the size, mtime or inode. */
function fileIdentity(path: string): string {
  const st = statSync(path);
  return `${path}:${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
}

/**
 * The SHA-256 of the guest's kernel and initramfs (together), remembered in `memo` by the files'
 * identities so a cached verdict costs two stat calls, not reading 8 MB.
 */
export function guestImageHash(image: GuestImage, memo: Record<string, string> = {}): string {
  const id = `${fileIdentity(image.kernel)} ${fileIdentity(image.initrd)}`;
  const known = memo[id];
  if (known) return known;
  const hash = createHash('sha256');
  for (const file of [image.kernel, image.initrd]) hash.update(readFileSync(file));
  const hex = hash.digest('hex');
  for (const key of Object.keys(memo)) delete memo[key];
  memo[id] = hex;
  return hex;
}
