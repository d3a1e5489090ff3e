// The Host page's small rules: which host the address names, and whether its hardware is this machine's.

/** `?host=ID` of the page's address, or undefined (the server's first host). */
export function hostParam(search: string): string | undefined {
  const v = new URLSearchParams(search).get('host');
  return v ? v : undefined;
}

/** The page's address for a host: the first host needs no parameter. */
export function hostHref(id: string, first: string | undefined): string {
  return id === first ? '/host' : `/host?host=${encodeURIComponent(id)}`;
}

/**
 * Whether a libvirt URI names a daemon on the machine the server runs on (as the server decides:
 * no transport but unix, no host name). Only then are the host check, the device map and the
 * overhead about that host.
 */
export function isLocalUri(uri: string): boolean {
  const m = /^[a-z0-9]+(?:\+([a-z0-9-]+))?:\/\/([^/?#]*)/i.exec(uri);
  if (!m) return false;
  const transport = m[1];
  return (transport === undefined || transport === 'unix') && m[2] === '';
}
