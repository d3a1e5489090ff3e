import type { ErrorShape } from './types';

/** A failed API call: the server's error shape (code, message, hint) and the HTTP status. */
export class ApiError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly status: number;
  /** The rest of the error body (e.g. `diagnosis` of a failed start). */
  readonly body: Record<string, unknown>;
  constructor(status: number, error: ErrorShape, body: Record<string, unknown> = {}) {
    super(error.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = error.code;
    this.hint = error.hint;
    this.body = body;
  }
}

/** The error of a request that never got an answer (server down, network gone). */
export function networkError(cause: unknown): ApiError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new ApiError(0, {
    code: 'network',
    message: `The Phyllome server did not answer (${why}).`,
    hint: 'Is `phyllo serve` still running? Reload the page once it is.',
  });
}

type Query = Record<string, string | number | boolean | undefined>;

/** `/api/vms?host=a`: a path with its query; undefined values are left out. */
export function withQuery(path: string, query: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

/** The error a non-2xx answer carries; one in the API's shape, or a plain one made from the status. */
export async function errorOf(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const e = (body as { error?: ErrorShape } | undefined)?.error;
  if (e && typeof e.code === 'string' && typeof e.message === 'string')
    return new ApiError(res.status, e, body as Record<string, unknown>);
  return new ApiError(res.status, {
    code: `http-${res.status}`,
    message: `The server answered ${res.status} ${res.statusText}.`,
  });
}

/** Listeners told when any call answers 401 (the session expired): the app shows its login page. */
const unauthorized = new Set<() => void>();
export function onUnauthorized(fn: () => void): () => void {
  unauthorized.add(fn);
  return () => unauthorized.delete(fn);
}

/**
 * One API call with the session cookie (same origin; the browser sends Origin, which the server checks on
 * every state-changing request). JSON in, JSON out; a failure throws ApiError with the server's message.
 */
export async function api<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  let res: Response;
  try {
    res = await fetch(withQuery(path, query), {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw networkError(err);
  }
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401 && path !== '/api/login') for (const fn of unauthorized) fn();
    throw err;
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const get = <T>(path: string, query?: Query) => api<T>('GET', path, undefined, query);
export const post = <T>(path: string, body?: unknown, query?: Query) =>
  api<T>('POST', path, body ?? {}, query);
export const del = <T>(path: string, query?: Query) => api<T>('DELETE', path, undefined, query);

/** A VM's API path: `/api/vms/NAME` + `suffix` (the name escaped). */
export function vmPath(name: string, suffix = ''): string {
  return `/api/vms/${encodeURIComponent(name)}${suffix}`;
}
