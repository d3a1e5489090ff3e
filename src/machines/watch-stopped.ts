import { RpcClient, type Domain, type Libvirt } from '../libvirt/index.js';

export interface StoppedWatch {
  /** Resolves when libvirt reports the domain stopped; rejects when the connection is lost. */
  stopped: Promise<void>;
  close(): void;
}

/**
 * Watches libvirt's lifecycle events for `dom` stopping ("shut off"): subscribe first, then act, so
 * the event cannot be missed. No polling: the daemon tells us. The watch also ends (rejecting) when
 * the connection closes.
 */
export async function watchStopped(lv: Libvirt, dom: Domain): Promise<StoppedWatch> {
  const sub = await lv.events.lifecycle({ domain: dom.name });
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const stopped = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  stopped.catch(() => undefined);
  sub.on((e) => {
    if (e.event === 'stopped' && e.dom.uuid.equals(dom.ref.uuid)) resolve();
  });
  if (lv.rpc instanceof RpcClient) void lv.rpc.closed.then(reject);
  return { stopped, close: () => sub.close() };
}
