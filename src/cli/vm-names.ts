import { connect, defaultUri } from '../libvirt/index.js';

/** How long completion waits for libvirt before offering no names (a TAB must never hang). */
const WAIT_MS = 3000;

/**
 * The domain names on a connection, sorted, through `lv.domains.list()` on a read-only connection, for
 * shell completion: any failure (no daemon, no permission, too slow) gives [], never an error.
 */
export async function vmNames(uri: string = defaultUri(), waitMs = WAIT_MS): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), waitMs);
    timer.unref();
  });
  const list = (async () => {
    const lv = await connect(uri, { readOnly: true });
    try {
      return (await lv.domains.list()).map((d) => d.name).sort();
    } finally {
      await lv.close();
    }
  })().catch(() => []);
  try {
    return await Promise.race([list, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
