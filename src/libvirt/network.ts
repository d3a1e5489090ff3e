/** Virtual network handles. */
import type { RpcCaller } from './client.js';
import { Proc } from './procedures.js';
import { type NetworkRef, uuidToString } from './types.js';

export class Networks {
  constructor(private readonly rpc: RpcCaller) {}
  async list(flags = 0): Promise<Network[]> {
    const r = await this.rpc.call(Proc.ConnectListAllNetworks, { needResults: 1, flags });
    return r.nets.map((n) => new Network(this.rpc, n));
  }
  async lookup(name: string): Promise<Network> {
    return new Network(this.rpc, (await this.rpc.call(Proc.NetworkLookupByName, { name })).net);
  }
  async define(xml: string): Promise<Network> {
    return new Network(this.rpc, (await this.rpc.call(Proc.NetworkDefineXml, { xml })).net);
  }
  /** A transient network, started at once and gone once destroyed. */
  async create(xml: string): Promise<Network> {
    return new Network(this.rpc, (await this.rpc.call(Proc.NetworkCreateXml, { xml })).net);
  }
}

export class Network {
  constructor(
    private readonly rpc: RpcCaller,
    readonly ref: NetworkRef,
  ) {}
  get name(): string {
    return this.ref.name;
  }
  get uuid(): string {
    return uuidToString(this.ref.uuid);
  }
  async start(): Promise<void> {
    await this.rpc.call(Proc.NetworkCreate, { net: this.ref });
  }
  async destroy(): Promise<void> {
    await this.rpc.call(Proc.NetworkDestroy, { net: this.ref });
  }
  async undefine(): Promise<void> {
    await this.rpc.call(Proc.NetworkUndefine, { net: this.ref });
  }
  async xml(flags = 0): Promise<string> {
    return (await this.rpc.call(Proc.NetworkGetXmlDesc, { net: this.ref, flags })).xml;
  }
  async isActive(): Promise<boolean> {
    return (await this.rpc.call(Proc.NetworkIsActive, { net: this.ref })).active !== 0;
  }
  async autostart(): Promise<boolean> {
    return (await this.rpc.call(Proc.NetworkGetAutostart, { net: this.ref })).autostart !== 0;
  }
  async setAutostart(on: boolean): Promise<void> {
    await this.rpc.call(Proc.NetworkSetAutostart, { net: this.ref, autostart: on ? 1 : 0 });
  }
}
