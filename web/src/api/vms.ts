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
