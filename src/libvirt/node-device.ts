/** Host device handles (libvirt's node devices). */
import type { RpcCaller } from './client.js';
import { Proc } from './procedures.js';

export class NodeDevices {
  constructor(private readonly rpc: RpcCaller) {}
  /** `flags` from NodeDeviceListFlags limits the list to devices with those capabilities. */
  async list(flags = 0): Promise<NodeDevice[]> {
    const r = await this.rpc.call(Proc.ConnectListAllNodeDevices, { needResults: 1, flags });
    return r.devices.map((d) => new NodeDevice(this.rpc, d.name));
  }
  /** virNodeDeviceLookupByName; a missing device is a LibvirtError NO_NODE_DEVICE. */
  async lookup(name: string): Promise<NodeDevice> {
    const r = await this.rpc.call(Proc.NodeDeviceLookupByName, { name });
    return new NodeDevice(this.rpc, r.dev.name);
  }
  /** virNodeDeviceCreateXML: a transient virtual device (a mediated device: parent, type, UUID). */
  async createXml(xml: string, flags = 0): Promise<NodeDevice> {
    const r = await this.rpc.call(Proc.NodeDeviceCreateXml, { xmlDesc: xml, flags });
    return new NodeDevice(this.rpc, r.dev.name);
  }
}

export class NodeDevice {
  constructor(
    private readonly rpc: RpcCaller,
    readonly name: string,
  ) {}
  async xml(flags = 0): Promise<string> {
    return (await this.rpc.call(Proc.NodeDeviceGetXmlDesc, { name: this.name, flags })).xml;
  }
  /** virNodeDeviceDestroy: removes a transient virtual device. */
  async destroy(): Promise<void> {
    await this.rpc.call(Proc.NodeDeviceDestroy, { name: this.name });
  }
}
