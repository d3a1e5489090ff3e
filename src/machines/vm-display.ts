import type { Libvirt } from '../libvirt/index.js';
import { child, childrenNamed } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { findVm } from './find-vm.js';
import { remoteHostOf } from './model-host-facts.js';

export interface DisplayAddress {
  type: string;
  /** vnc://HOST:PORT, spice://HOST:PORT, or the UNIX socket's path. */
  address?: string;
  host?: string;
  port?: number;
  tlsPort?: number;
  socket?: string;
  /** Why there is no address, or how to reach it from elsewhere. */
  note?: string;
}

export interface DisplayInfo {
  name: string;
  running: boolean;
  displays: DisplayAddress[];
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Pure: the display addresses in a running domain's live XML, as seen from the host `remote` (or here). */
export function displaysFromXml(xml: string, remote: string | undefined): DisplayAddress[] {
  const devices = child(parseXml(xml, 'the domain XML'), 'devices');
  return childrenNamed(devices, 'graphics')
    .filter((g) => g.attrs.type === 'vnc' || g.attrs.type === 'spice')
    .map((g) => {
      const type = g.attrs.type!;
      const listen = childrenNamed(g, 'listen')[0];
      const socket = listen?.attrs.socket ?? g.attrs.socket;
      if (listen?.attrs.type === 'socket' || socket)
        return {
          type,
          ...(socket ? { socket, address: socket } : {}),
          note: 'a UNIX socket on the VM’s host',
        };
      if (listen?.attrs.type === 'none')
        return { type, note: 'no network listener (e.g. reached only through libvirt)' };
      const port = Number(g.attrs.port);
      const tlsPort = Number(g.attrs.tlsPort);
      const bound = listen?.attrs.address ?? g.attrs.listen ?? '127.0.0.1';
      const wildcard = bound === '0.0.0.0' || bound === '::';
      const host =
        remote !== undefined && (wildcard || LOOPBACK.has(bound)) ? remote : wildcard ? '127.0.0.1' : bound;
      if (!(port > 0)) return { type, note: 'no port yet (the VM is not running)' };
      return {
        type,
        address: `${type}://${host.includes(':') ? `[${host}]` : host}:${port}`,
        host,
        port,
        ...(tlsPort > 0 ? { tlsPort } : {}),
        ...(remote !== undefined && LOOPBACK.has(bound)
          ? {
              note: `listens on ${bound} on ${remote} only: tunnel it, e.g. ssh -L ${port}:${bound}:${port} ${remote}`,
            }
          : {}),
      };
    });
}

/** `phyllo vm display NAME`: the VNC/SPICE addresses from the live XML. */
export async function vmDisplay(lv: Libvirt, name: string): Promise<DisplayInfo> {
  const dom = await findVm(lv, name);
  const [{ state }, xml] = await Promise.all([dom.state(), dom.xml()]);
  return {
    name: dom.name,
    running: state !== 'shutoff',
    displays: displaysFromXml(xml, remoteHostOf(lv.requestedUri)),
  };
}
