/**
 * The origins a browser may use the API from: the server's own addresses. `listen` is what the server
 * listens on; a loopback listener is also reachable as `localhost`. `extra` are origins the user
 * names (`--origin`, e.g. a reverse proxy's public URL).
 */
export function allowedOrigins(
  listen: { host: string; port: number; tls: boolean },
  extra: string[] = [],
): Set<string> {
  const scheme = listen.tls ? 'https' : 'http';
  const hosts = new Set<string>([listen.host.includes(':') ? `[${listen.host}]` : listen.host]);
  if (isLoopback(listen.host)) for (const h of ['localhost', '127.0.0.1', '[::1]']) hosts.add(h);
  const out = new Set<string>();
  const defaultPort = listen.tls ? 443 : 80;
  for (const h of hosts)
    out.add(listen.port === defaultPort ? `${scheme}://${h}` : `${scheme}://${h}:${listen.port}`);
  for (const o of extra) out.add(o.replace(/\/+$/, ''));
  return out;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The host part of allowed origins, for checking `Host` headers (DNS rebinding). */
export function allowedHosts(origins: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const o of origins) {
    const u = new URL(o);
    out.add(u.host); // a default port is left out here, as clients leave it out of Host
    out.add(`${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`);
  }
  return out;
}
