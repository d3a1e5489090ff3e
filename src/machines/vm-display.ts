import type { Libvirt } from '../libvirt/index.js';
import { child, childrenNamed, type XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { findVm } from './find-vm.js';
import { remoteHostOf } from './model-host-facts.js';

/** One `<graphics>` element of a domain's XML, as the XML says it. */
export interface Graphics {
  type: string;
  /** How it is reached: a network address, a UNIX socket, or not at all (`listen type='none'`). */
  listener: 'address' | 'socket' | 'none';
  /** The address it is bound to (the first `<listen>`, else the `listen` attribute); absent when the XML names none. */
  listen?: string;
  socket?: string;
  /** Only when the XML has one (> 0): a running VM's live XML, or a fixed port. */
  port?: number;
  tlsPort?: number;
}

export interface DisplayAddress {
  type: string;
  /** vnc://HOST:PORT, spice://HOST:PORT, or vnc+unix:///PATH for a UNIX socket (as remote-viewer takes it). */
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

/** Pure: every `<graphics>` under a domain's `<devices>` (the one reader for `vm display` and `vm info`). */
export function readGraphics(devices: XmlNode | undefined): Graphics[] {
  return childrenNamed(devices, 'graphics').map((g) => {
    const listen = child(g, 'listen');
    const socket = listen?.attrs.socket ?? g.attrs.socket;
    const port = Number(g.attrs.port);
    const tlsPort = Number(g.attrs.tlsPort);
    const bound = listen?.attrs.address ?? g.attrs.listen;
    const listener =
      listen?.attrs.type === 'socket' || socket
        ? 'socket'
        : listen?.attrs.type === 'none'
          ? 'none'
          : 'address';
    return {
      type: g.attrs.type ?? 'unknown',
      listener,
      ...(listener === 'address' && bound ? { listen: bound } : {}),
      ...(socket ? { socket } : {}),
      ...(port > 0 ? { port } : {}),
      ...(tlsPort > 0 ? { tlsPort } : {}),
    };
  });
}

/**
 * Pure: how to reach a display from here, the host `remote` (undefined: this machine) running it. A
 * wildcard or loopback listener of a remote host is reached by the host's name (a loopback one only
 * through a tunnel, said in the note); libvirt's default listener is 127.0.0.1.
 */
export function displayAddress(g: Graphics, remote: string | undefined): DisplayAddress {
  const type = g.type;
  if (g.listener === 'socket')
    return {
      type,
      ...(g.socket ? { socket: g.socket, address: `${type}+unix://${g.socket}` } : {}),
      note: 'a UNIX socket on the VM’s host',
    };
  if (g.listener === 'none') return { type, note: 'no network listener (e.g. reached only through libvirt)' };
  const bound = g.listen ?? '127.0.0.1';
  const wildcard = bound === '0.0.0.0' || bound === '::';
  const host =
    remote !== undefined && (wildcard || LOOPBACK.has(bound)) ? remote : wildcard ? '127.0.0.1' : bound;
  const port = g.port;
  if (port === undefined) return { type, note: 'no port yet (the VM is not running)' };
  return {
    type,
    address: `${type}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    ...(g.tlsPort ? { tlsPort: g.tlsPort } : {}),
    ...(remote !== undefined && LOOPBACK.has(bound)
      ? {
          note: `listens on ${bound} on ${remote} only: tunnel it, e.g. ssh -L ${port}:${bound}:${port} ${remote}`,
        }
      : {}),
  };
}

/** Pure: the VNC and SPICE addresses in a running domain's live XML, as seen from the host `remote` (or here). */
export function displaysFromXml(xml: string, remote: string | undefined): DisplayAddress[] {
  return readGraphics(child(parseXml(xml, 'the domain XML'), 'devices'))
    .filter((g) => g.type === 'vnc' || g.type === 'spice')
    .map((g) => displayAddress(g, remote));
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
