/** Whether a failure (or one of its causes) is a full filesystem: ENOSPC, as libvirt or qemu-img says it. */
export function isNoSpace(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (/No space left on device|ENOSPC/i.test(e.message)) return true;
  }
  return false;
}
