// The VM actions of the API (README "API"), shared by the list's rows and the VM page.
import { del, get, post, vmPath } from './client';
import type { Job } from './types';

export type PowerOp = 'start' | 'kill' | 'reboot' | 'pause' | 'resume';

/** start / kill / reboot / pause / resume: answers when libvirt has done it. */
export const power = (host: string, name: string, op: PowerOp) =>
  post<{ name: string; operation: string; state: string }>(vmPath(name, `/${op}`), {}, { host });

/** ACPI shutdown as a job (202): the job's id, its progress on /api/events. */
export const shutdown = (host: string, name: string, opts: { timeout?: number; force?: boolean } = {}) =>
  post<Job>(vmPath(name, '/shutdown'), opts, { host });

export const vmInfo = <T = Record<string, unknown>>(host: string, name: string) =>
  get<T>(vmPath(name), { host });

export const diagnose = <T = Record<string, unknown>>(host: string, name: string) =>
  get<T>(vmPath(name, '/diagnose'), { host });

export const clone = (host: string, name: string, body: { name: string; full?: boolean; newTpm?: boolean }) =>
  post<Job>(vmPath(name, '/clone'), body, { host });

export const deleteVm = (
  host: string,
  name: string,
  opts: { keepDisks?: boolean; force?: boolean; deleteImages?: boolean } = {},
) => del<Record<string, unknown>>(vmPath(name), { host, ...opts });

export const cancelJob = (id: string) => post<Job>(`/api/jobs/${encodeURIComponent(id)}/cancel`);

// The VM page's calls (snapshots, settings, media, a job read again).
export const snapshots = <T = Record<string, unknown>>(host: string, name: string) =>
  get<T>(vmPath(name, '/snapshots'), { host });

export const createSnapshot = (host: string, name: string, snap: string) =>
  post<Record<string, unknown>>(vmPath(name, '/snapshots'), { name: snap }, { host });

export const revertSnapshot = (host: string, name: string, snap: string) =>
  post<Record<string, unknown>>(vmPath(name, `/snapshots/${encodeURIComponent(snap)}/revert`), {}, { host });

export const deleteSnapshot = (host: string, name: string, snap: string) =>
  del<{ name: string; merged: string[] }>(vmPath(name, `/snapshots/${encodeURIComponent(snap)}`), { host });

export interface SetResult {
  name: string;
  running: boolean;
  changes: { setting: string; value: string; applies: string; detail?: string }[];
  warnings: string[];
}

export const setVm = (
  host: string,
  name: string,
  body: { memory?: string; vcpus?: number; autostart?: boolean },
) => post<SetResult>(vmPath(name, '/set'), body, { host });

/** `phyllo vm autostart NAME on|off`: answers the flag as libvirt has it afterwards. */
export const setAutostart = (host: string, name: string, on: boolean) =>
  post<{ name: string; operation: string; state: string; autostart: boolean }>(
    vmPath(name, '/autostart'),
    { on },
    { host },
  );

export interface MediaResult {
  name: string;
  target: string;
  source?: string;
  previous?: string;
  running: boolean;
  applies: string;
  addedDrive: boolean;
}

export const media = (
  host: string,
  name: string,
  body: { action: 'insert' | 'eject'; path?: string; target?: string; addDrive?: boolean },
) => post<MediaResult>(vmPath(name, '/media'), body, { host });

export const getJob = (id: string) => get<Job>(`/api/jobs/${encodeURIComponent(id)}`);

/** `phyllo vm move` to another connected host, as a job (202). */
export const moveVm = (
  host: string,
  name: string,
  body: { to: string; keepSource?: boolean; pool?: string },
) => post<Job>(vmPath(name, '/move'), body, { host });
