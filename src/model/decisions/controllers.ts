import type { DevicesSpec } from '../spec.js';
import type { Decision } from './context.js';

const XHCI_PORTS = 15;

/** A USB 3 (qemu-xhci) controller on q35; libvirt adds PCIe root ports and virtio-serial as needed. */
export function decideControllers(machine: string): Decision<DevicesSpec['controllers']> {
  if (machine !== 'q35') return { choice: [], reason: "the PC machine's built-in USB controller" };
  return {
    choice: [{ type: 'usb', index: 0, model: 'qemu-xhci', ports: XHCI_PORTS }],
    reason: 'qemu-xhci: USB 3 with one controller for every device speed',
  };
}
