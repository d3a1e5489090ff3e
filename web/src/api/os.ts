// The OS catalog and VM creation (README "API": /api/os, POST /api/vms).
import { get, post } from './client';
import type { CreatedVm, OsExplanation, OsList, PreviewedVm } from './types';

type Query = Record<string, string | number | boolean | undefined>;

export const listOs = (all = false) => get<OsList>('/api/os', all ? { all: true } : {});

/** Every decision the model makes for this OS and these options on the host, with its reason. */
export const explainOs = (id: string, query: Query) =>
  get<OsExplanation>(`/api/os/${encodeURIComponent(id)}/explain`, query);

/** The domain XML and decisions of a VM, defining nothing (also detects the OS of an ISO). */
export const previewVm = (host: string | undefined, body: Record<string, unknown>) =>
  post<PreviewedVm>('/api/vms', body, { host, printXml: true });

export const createVm = (host: string | undefined, body: Record<string, unknown>) =>
  post<CreatedVm>('/api/vms', body, { host });
