/**
 * The messages of /api/events, as JSON objects with a `type`: what the server sends and what a client
 * may send. Event messages are made from libvirt's events here, one for one, with the host they came
 * from and the time the server received them.
 */
import { lifecycleDetailName, uuidToString, type DomainEvent } from '../../libvirt/index.js';
import { errorShape, type ErrorShape } from '../../errors.js';
import type { HostChange, HostSummary } from '../hosts.js';
import type { JobView } from '../job-registry.js';
import type { StatsSample } from './stats-sample.js';

interface VmRef {
  host: string;
  vm: string;
  uuid: string;
  /** When the server received the event (ISO 8601). */
  at: string;
}

/** A lifecycle event: `event` is libvirt's (started, stopped, …), `detail` its reason in words. */
export interface LifecycleMessage extends VmRef {
  type: 'lifecycle';
  event: string;
  detail: string;
}
export interface RebootMessage extends VmRef {
  type: 'reboot';
}
export interface DeviceMessage extends VmRef {
  type: 'device-added' | 'device-removed';
  /** The device's alias (`ua-…`, `net0`, `virtio-disk1`). */
  device: string;
}
export interface TrayMessage extends VmRef {
  type: 'tray-change';
  device: string;
  tray: 'open' | 'closed';
}
export interface DiskChangeMessage extends VmRef {
  type: 'disk-change';
  device: string;
  oldSource: string | null;
  newSource: string | null;
  reason: 'missing-on-start' | 'dropped-missing-on-start' | string;
}
export type VmEventMessage =
  LifecycleMessage | RebootMessage | DeviceMessage | TrayMessage | DiskChangeMessage;

export type ServerMessage =
  | { type: 'hello'; hosts: HostSummary[] }
  | VmEventMessage
  | { type: 'job-progress' | 'job-end'; job: JobView }
  | { type: 'host'; host: string; uri: string; connected: boolean; at: string; error?: ErrorShape }
  | { type: 'subscribed'; host: string; vm: string; history: StatsSample[] }
  | { type: 'unsubscribed'; host: string; vm: string }
  | { type: 'stats'; host: string; vm: string; sample: StatsSample }
  | { type: 'resync'; dropped: number }
  | { type: 'error'; request?: unknown; error: ErrorShape };

/** What a client may send. */
export interface SubscribeRequest {
  type: 'subscribe' | 'unsubscribe';
  /** A host id from GET /api/hosts (default: the first). */
  host?: string;
  vm: string;
}

/** The message for one libvirt event from host `host`. */
export function vmEventMessage(host: string, e: DomainEvent, at: Date): VmEventMessage {
  const ref: VmRef = { host, vm: e.dom.name, uuid: uuidToString(e.dom.uuid), at: at.toISOString() };
  switch (e.kind) {
    case 'lifecycle':
      return { type: 'lifecycle', ...ref, event: e.event, detail: lifecycleDetailName(e.event, e.detail) };
    case 'reboot':
      return { type: 'reboot', ...ref };
    case 'device-added':
    case 'device-removed':
      return { type: e.kind, ...ref, device: e.devAlias };
    case 'tray-change':
      return { type: 'tray-change', ...ref, device: e.devAlias, tray: e.reason === 0 ? 'open' : 'closed' };
    case 'disk-change':
      return {
        type: 'disk-change',
        ...ref,
        device: e.devAlias,
        oldSource: e.oldSrcPath,
        newSource: e.newSrcPath,
        reason: ['missing-on-start', 'dropped-missing-on-start'][e.reason] ?? `reason-${e.reason}`,
      };
  }
}

export function hostMessage(change: HostChange, at: Date): ServerMessage {
  return {
    type: 'host',
    host: change.id,
    uri: change.uri,
    connected: change.connected,
    at: at.toISOString(),
    ...(change.error === undefined ? {} : { error: errorShape(change.error).shape }),
  };
}

export function jobMessage(job: JobView): ServerMessage {
  return { type: job.state === 'running' ? 'job-progress' : 'job-end', job };
}

/** A client's message, checked; a string saying what is wrong otherwise. */
export function parseClientMessage(text: string): SubscribeRequest | string {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return 'a message must be a JSON object';
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'a message must be a JSON object';
  const o = m as Record<string, unknown>;
  if (o.type !== 'subscribe' && o.type !== 'unsubscribe')
    return `unknown message type ${JSON.stringify(o.type)}: send "subscribe" or "unsubscribe"`;
  if (typeof o.vm !== 'string' || o.vm.length === 0 || o.vm.length > 200)
    return `"${o.type}" needs "vm": a VM name`;
  if (o.host !== undefined && (typeof o.host !== 'string' || o.host.length === 0 || o.host.length > 253))
    return '"host" must be a host id from GET /api/hosts';
  return { type: o.type, vm: o.vm, ...(o.host === undefined ? {} : { host: o.host as string }) };
}
