import { errorShape } from '../errors.js';

/**
 * The HTTP status of each error code Phyllome raises: the same `{"error":{code,message,hint}}` the
 * CLI prints with --json, under a status a client can branch on. A code not listed here that is still
 * a Phyllome error is a refusal the request could not get past (422); anything else is a bug (500).
 */
const STATUS: Record<string, number> = {
  'invalid-input': 400,
  'invalid-name': 400,
  'invalid-option': 400,
  'invalid-xml': 400,
  'invalid-file': 400,
  'missing-file': 400,
  'unknown-os': 400,
  'memory-above-host': 400,
  'session-uri-mismatch': 400,
  'remote-file-not-in-pool': 400,
  'path-not-allowed': 400,
  unauthorized: 401,
  'origin-not-allowed': 403,
  'vm-not-found': 404,
  'host-not-found': 404,
  'snapshot-not-found': 404,
  'disk-not-found': 404,
  'state-file-missing': 404,
  'job-not-found': 404,
  'route-not-found': 404,
  'network-missing': 404,
  'vm-exists': 409,
  'volume-exists': 409,
  'snapshot-exists': 409,
  'state-file-exists': 409,
  'operation-in-progress': 409,
  'vm-wrong-state': 409,
  'console-unavailable': 409,
  'no-display': 409,
  'display-not-vnc': 409,
  'display-no-address': 409,
  'display-needs-ssh': 422,
  'display-unreachable': 502,
  'pool-full': 507,
  'no-space': 507,
  'bundle-too-large': 413,
  'disk-changed': 409,
  'websocket-required': 426,
  'too-many-requests': 429,
  'libvirt-connection-closed': 503,
  'libvirt-daemon-not-running': 503,
  'libvirt-dial-failed': 503,
  'host-unavailable': 503,
  cancelled: 409,
  // What a request may not ask (its content), and states of a VM a route cannot get past.
  'unsafe-value': 400,
  'unknown-medium': 400,
  'memory-below-minimum': 400,
  'session-as-root': 400,
  'vm-edit-rejected': 400,
  'vm-edit-identity-changed': 400,
  'xml-not-allowed': 400,
  'host-not-local': 400,
  'no-cdrom-drive': 409,
  'vm-upgrade-not-possible': 409,
  // Devices (issue 12): what is not there, what is taken, what a request names badly.
  'network-not-found': 404,
  'bridge-not-found': 404,
  'nic-not-found': 404,
  'share-not-found': 404,
  'device-not-found': 404,
  'usb-unknown': 404,
  'usb-rule-not-found': 404,
  'usb-id-invalid': 400,
  'share-path-missing': 400,
  'share-path-invalid': 400,
  'mac-in-use': 409,
  'pci-in-use': 409,
  'usb-in-use': 409,
  'share-tag-taken': 409,
  'usb-rule-exists': 409,
};

export function httpStatusOf(code: string, expected: boolean): number {
  return STATUS[code] ?? (expected ? 422 : 500);
}

export interface HttpError {
  status: number;
  body: { error: { code: string; message: string; hint?: string } };
}

/** An error as the API answers it. */
export function httpError(err: unknown): HttpError {
  const { shape, unexpected } = errorShape(err);
  return { status: httpStatusOf(shape.code, !unexpected), body: { error: shape } };
}
