import { isNotFound, type Domain, type Libvirt } from '../libvirt/index.js';
import { VmNotFoundError } from './errors.js';
import { remoteHostOf } from './model-host-facts.js';

/** The host a connection reaches, for messages: its name, or "this computer". */
export function hostName(lv: Libvirt): string {
  return remoteHostOf(lv.requestedUri) ?? 'this computer';
}

/** The VM named `name` on the connection's host; a typed `vm-not-found` error when there is none. */
export async function findVm(lv: Libvirt, name: string): Promise<Domain> {
  try {
    return await lv.domains.lookup(name);
  } catch (err) {
    if (isNotFound(err)) throw new VmNotFoundError(name, hostName(lv), err);
    throw err;
  }
}

/** Whether the connection's host has a VM of that name (or UUID); other failures are thrown. */
export function domainExists(lv: Libvirt, nameOrUuid: string): Promise<boolean> {
  return lv.domains.lookup(nameOrUuid).then(
    () => true,
    (err: unknown) => {
      if (isNotFound(err)) return false;
      throw err;
    },
  );
}
