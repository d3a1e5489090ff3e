/**
 * Small changes to a parsed domain XML: a device added at the end of `<devices>` (libvirt orders
 * them itself when it defines the domain), a device taken out, shared memory backing put in. Pure:
 * each returns a new tree and leaves its input alone.
 */
import { child, el, type XmlNode } from '../xml/node.js';

export function withDeviceAdded(domain: XmlNode, device: XmlNode): XmlNode {
  const devices = child(domain, 'devices') ?? el('devices');
  const updated = { ...devices, children: [...devices.children, device] };
  const has = domain.children.includes(devices);
  return {
    ...domain,
    children: has ? domain.children.map((c) => (c === devices ? updated : c)) : [...domain.children, updated],
  };
}

/** Without the `<devices>` child `device` (compared by identity: a node of this very tree). */
export function withDeviceRemoved(domain: XmlNode, device: XmlNode): XmlNode {
  return {
    ...domain,
    children: domain.children.map((c) =>
      c.name === 'devices' ? { ...c, children: c.children.filter((d) => d !== device) } : c,
    ),
  };
}

/** Whether the guest's memory is memfd-backed and shared, as vhost-user devices (virtiofs) need. */
export function hasSharedMemory(domain: XmlNode): boolean {
  const mb = child(domain, 'memoryBacking');
  const source = child(mb, 'source')?.attrs.type;
  return child(mb, 'access')?.attrs.mode === 'shared' && (source === 'memfd' || source === 'file');
}

/**
 * The domain with `<memoryBacking>` set to shared memfd memory (what virtiofsd needs to reach the
 * guest's memory on libvirt 9.0); other memoryBacking settings (hugepages, locked) are kept.
 * A domain whose memory is already shared (memfd or file) is returned as it is.
 */
export function withSharedMemory(domain: XmlNode): XmlNode {
  if (hasSharedMemory(domain)) return domain;
  const old = child(domain, 'memoryBacking');
  const kept = (old?.children ?? []).filter((c) => c.name !== 'source' && c.name !== 'access');
  const mb = el('memoryBacking', {}, [
    ...kept,
    el('source', { type: 'memfd' }),
    el('access', { mode: 'shared' }),
  ]);
  if (old) return { ...domain, children: domain.children.map((c) => (c === old ? mb : c)) };
  // libvirt's schema wants it among the memory elements: right after <currentMemory> (or <memory>).
  const after = domain.children.findIndex((c) => c.name === 'currentMemory');
  const at = after >= 0 ? after : domain.children.findIndex((c) => c.name === 'memory');
  const children = [...domain.children];
  children.splice(at >= 0 ? at + 1 : children.length, 0, mb);
  return { ...domain, children };
}
