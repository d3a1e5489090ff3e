/**
 * Whether `--bridge BR` names a bridge on the VM's host. This machine's is read from sysfs (a bridge
 * has /sys/class/net/BR/bridge). A remote host's cannot be, reliably: on Debian 12's libvirt 9.0 neither
 * the interface list (udev backend) nor the node devices show virtual interfaces such as virbr0, so a
 * real bridge would look missing. The answer then is a warning; libvirt refuses a missing bridge
 * when the guest starts (or at once, when it is hot-plugged).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BridgeNotFoundError } from './errors.js';

/** Throws BridgeNotFoundError when this machine has no bridge `name`; `sysRoot` is for tests. */
export function checkLocalBridge(name: string, sysRoot = '/sys'): void {
  const dir = join(sysRoot, 'class/net', name);
  if (!/^[^/\s]{1,15}$/.test(name) || !existsSync(dir))
    throw new BridgeNotFoundError(name, 'this computer', 'there is no network interface of that name');
  if (!existsSync(join(dir, 'bridge')))
    throw new BridgeNotFoundError(name, 'this computer', `${name} is a network interface, but not a bridge`);
}

/** What is said instead on a remote host. */
export function remoteBridgeWarning(name: string, host: string): string {
  return `Whether ${host} has a bridge "${name}" cannot be checked from here: libvirt refuses the card when the VM starts if it has none.`;
}
