/**
 * The errors of `vm nic`, `vm share` and `vm device`: each is bad input that was caught before
 * anything changed, with a stable code and a hint naming the next step.
 */
import { PhyllomeError } from '../errors.js';

/** `--network N` names no libvirt network on the host. */
export class NicNetworkNotFoundError extends PhyllomeError {
  override name = 'NicNetworkNotFoundError';
  constructor(
    network: string,
    readonly networks: string[],
  ) {
    super('network-not-found', `There is no libvirt network "${network}" on this host.`, {
      hint: networks.length
        ? `Its networks: ${networks.join(', ')}. Pick one with --network, or use a host bridge with --bridge BR.`
        : 'It has no libvirt networks at all: define one (virsh net-define), or use a host bridge with --bridge BR.',
    });
  }
  override toJSON(): ReturnType<PhyllomeError['toJSON']> & { networks: string[] } {
    return { ...super.toJSON(), networks: this.networks };
  }
}

/** `--bridge BR` names no bridge on the host (or no interface at all). */
export class BridgeNotFoundError extends PhyllomeError {
  override name = 'BridgeNotFoundError';
  constructor(bridge: string, host: string, what: string) {
    super('bridge-not-found', `There is no bridge "${bridge}" on ${host}: ${what}.`, {
      hint: 'Create the bridge on the host first (e.g. with systemd-networkd or /etc/network/interfaces), or join a libvirt network with --network.',
    });
  }
}

/** The MAC address is not one, or another NIC (of this VM or another) already has it. */
export class MacInUseError extends PhyllomeError {
  override name = 'MacInUseError';
  constructor(mac: string, owner: string) {
    super('mac-in-use', `The MAC address ${mac} is already used by ${owner}.`, {
      hint: 'Leave out --mac and libvirt picks a free one, or give another address.',
    });
  }
}

/** `vm nic remove` names a NIC the VM does not have. */
export class NicNotFoundError extends PhyllomeError {
  override name = 'NicNotFoundError';
  constructor(vm: string, which: string, nics: string[]) {
    super('nic-not-found', `VM "${vm}" has no network card ${which}.`, {
      hint: nics.length
        ? `Its network cards: ${nics.join(', ')} (give the MAC address or the index).`
        : 'It has no network cards.',
    });
  }
}

/** The host directory of a share does not exist, or is not a directory. */
export class SharePathError extends PhyllomeError {
  override name = 'SharePathError';
  constructor(path: string, problem: 'missing' | 'not-a-directory' | 'not-absolute') {
    const words = {
      missing: 'does not exist',
      'not-a-directory': 'is not a directory',
      'not-absolute': 'is not an absolute path on the VM host',
    }[problem];
    super(problem === 'missing' ? 'share-path-missing' : 'share-path-invalid', `${path} ${words}.`, {
      hint: 'Give a directory on the VM host (a remote host: a path there, absolute).',
    });
  }
}

/** A share with that tag exists already on the VM. */
export class ShareTagTakenError extends PhyllomeError {
  override name = 'ShareTagTakenError';
  constructor(vm: string, tag: string, dir: string) {
    super('share-tag-taken', `VM "${vm}" already shares ${dir} with the tag "${tag}".`, {
      hint: `Pick another --tag, or remove that share first: phyllo vm share remove ${vm} ${tag}`,
    });
  }
}

/** `vm share remove` names a tag the VM does not have. */
export class ShareNotFoundError extends PhyllomeError {
  override name = 'ShareNotFoundError';
  constructor(vm: string, tag: string, tags: string[]) {
    super('share-not-found', `VM "${vm}" has no shared folder with the tag "${tag}".`, {
      hint: tags.length ? `Its shares: ${tags.join(', ')}.` : 'It has no shared folders.',
    });
  }
}

/** libvirt (and the host's virtiofsd) refuse a read-only virtiofs share. */
export class ShareReadonlyUnsupportedError extends PhyllomeError {
  override name = 'ShareReadonlyUnsupportedError';
  constructor(libvirtMessage: string, cause?: unknown) {
    super(
      'share-readonly-unsupported',
      `This host cannot share a folder read-only over virtiofs (libvirt: ${libvirtMessage}).`,
      {
        ...(cause === undefined ? {} : { cause }),
        hint: 'Nothing was changed. Share it writable and mount it with `-o ro` in the guest (the guest could still remount it), or make the host directory read-only for the guest by its permissions.',
      },
    );
  }
}

/** Why a PCI device cannot be given to a guest. */
export type PciRefusal = 'unknown-address' | 'iommu-off' | 'vfio-missing' | 'host-critical' | 'bridge';

/** `vm device add --pci` refused: what makes it impossible (or unsafe), and how to change that. */
export class PciRefusedError extends PhyllomeError {
  override name = 'PciRefusedError';
  constructor(
    readonly address: string,
    readonly refusal: PciRefusal,
    readonly reasons: string[],
    hint: string,
  ) {
    super('pci-refused', `The PCI device ${address} cannot be given to a guest: ${reasons.join('; ')}.`, {
      hint,
    });
  }
  override toJSON(): ReturnType<PhyllomeError['toJSON']> & { refusal: PciRefusal; reasons: string[] } {
    return { ...super.toJSON(), refusal: this.refusal, reasons: this.reasons };
  }
}

/** The device shares its IOMMU group with other endpoints: only the whole group can go. */
export class PciNeedsGroupError extends PhyllomeError {
  override name = 'PciNeedsGroupError';
  constructor(
    readonly address: string,
    readonly group: string,
    readonly others: string[],
  ) {
    super(
      'pci-needs-with-group',
      `The PCI device ${address} shares IOMMU group ${group} with ${others.join(', ')}: they can only be given to a guest together.`,
      {
        hint: 'Add --with-group to give the guest every endpoint of the group (its bridges stay with the host).',
      },
    );
  }
  override toJSON(): ReturnType<PhyllomeError['toJSON']> & { group: string; others: string[] } {
    return { ...super.toJSON(), group: this.group, others: this.others };
  }
}

/** The device is given to this VM already, or to another VM. */
export class PciInUseError extends PhyllomeError {
  override name = 'PciInUseError';
  constructor(address: string, vm: string) {
    super('pci-in-use', `The PCI device ${address} is already given to VM "${vm}".`, {
      hint: `Remove it there first: phyllo vm device remove ${vm} ${address}`,
    });
  }
}

/** `vm device remove` names a device the VM does not have. */
export class DeviceNotFoundError extends PhyllomeError {
  override name = 'DeviceNotFoundError';
  constructor(vm: string, which: string, devices: string[]) {
    super('device-not-found', `VM "${vm}" has no host device ${which}.`, {
      hint: devices.length ? `Its host devices: ${devices.join(', ')}.` : 'It has no host devices.',
    });
  }
}

/** PCI passthrough needs this machine's sysfs: the VM's daemon is on another host. */
export class PciRemoteHostError extends PhyllomeError {
  override name = 'PciRemoteHostError';
  constructor(host: string) {
    super('pci-remote-host', `PCI passthrough to a VM on ${host} cannot be checked from here.`, {
      hint: `Run phyllo on ${host} itself (its IOMMU groups are read from its own /sys).`,
    });
  }
}
