/** Host device handles (libvirt's node devices). */
import type { RpcCaller } from './client.js';
import { Proc } from './procedures.js';

export class NodeDevices {
  constructor(private readonly rpc: RpcCaller) {}
  async list(flags = 0): Promise<NodeDevice[]> {
    const r = await this.rpc.call(Proc.ConnectListAllNodeDevices, { needResults: 1, flags });
    return r.devices.map((d) => new NodeDevice(this.rpc, d.name));
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
}
