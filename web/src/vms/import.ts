// The VM list's import: the upload's address, its progress in words, the server's answer read into
// a result or an error. Pure: tested in import.test.ts (the upload itself is upload.ts).
import { ApiError, withQuery } from '../api/client';
import type { ErrorShape } from '../api/types';
import { bytes } from '../format';
import { checkVmName, type Checked } from '../vmpage/forms';

/** What `phyllo vm import --json` (or `vm import-ova --json`) answers: the fields the dialog shows. */
export interface ImportedVm {
  name: string;
  uuid: string;
  disk?: string;
  changes: string[];
  warnings: string[];
  /** An OVA's settings this VM could not take (`vm import-ova` only). */
  notCarried?: { kind: string; detail: string }[];
}

/**
 * The files the picker offers: bundles as `vm export` and the export download name them, and OVAs
 * as VirtualBox and VMware export them.
 */
export const BUNDLE_ACCEPT = '.tar,.zst,.phyllome,.ova,application/x-tar,application/zstd';

/** Whether the file is an OVA (by its name, as VirtualBox and VMware name them), not a bundle. */
export const isOva = (fileName: string): boolean => /\.ova$/i.test(fileName);

/**
 * POST /api/vms/import (a bundle) or /api/vms/import-ova (an .ova file) with the host and, when
 * given, the new name.
 */
export function importUrl(host: string, name: string | undefined, fileName = ''): string {
  return withQuery(isOva(fileName) ? '/api/vms/import-ova' : '/api/vms/import', { host, name });
}

/** The optional new name: empty keeps the bundle's own; otherwise checked as a VM name. */
export function checkImportName(text: string, taken: readonly string[]): Checked<string | undefined> {
  const t = text.trim();
  if (t === '') return { ok: true, value: undefined };
  const c = checkVmName(t);
  if (!c.ok) return c;
  if (taken.includes(t)) return { ok: false, error: `A VM named "${t}" already exists on this host.` };
  return c;
}

/** The upload's state in words and as a fraction, from the browser's upload progress events. */
export function uploadProgress(
  sent: number,
  total: number,
): { text: string; fraction: number | undefined; sent: boolean } {
  if (total <= 0) return { text: `${bytes(sent)} sent`, fraction: undefined, sent: false };
  const f = Math.min(1, sent / total);
  if (sent >= total)
    return { text: `${bytes(total)} sent; the server checks and defines the VM…`, fraction: 1, sent: true };
  return { text: `${bytes(sent)} of ${bytes(total)} (${Math.floor(f * 100)}%)`, fraction: f, sent: false };
}

/** The server's answer: 201 with the VM, or its error shape (a plain error for anything else). */
export function importAnswer(
  status: number,
  text: string,
): { ok: true; vm: ImportedVm } | { ok: false; error: ApiError } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (status === 201 && typeof (body as ImportedVm | undefined)?.name === 'string')
    return { ok: true, vm: body as ImportedVm };
  const e = (body as { error?: ErrorShape } | undefined)?.error;
  if (e && typeof e.code === 'string' && typeof e.message === 'string')
    return { ok: false, error: new ApiError(status, e, body as Record<string, unknown>) };
  return {
    ok: false,
    error: new ApiError(status, {
      code: status === 0 ? 'network' : `http-${status}`,
      message:
        status === 0
          ? 'The upload stopped: the server did not answer.'
          : `The server answered ${status} to the upload.`,
    }),
  };
}
