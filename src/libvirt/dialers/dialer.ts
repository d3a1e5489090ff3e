import type { Duplex } from 'node:stream';

/** One way to reach a libvirt daemon: open a fresh byte stream to it. */
export interface Dialer {
  dial(): Promise<Duplex>;
}
