/**
 * A private /24 for a test network that no route of this host covers, so starting it cannot fail with
 * "Network is already in use by interface …" because of a network another run left running. libvirt
 * decides that from /proc/net/route, so this reads the same table (the bridge of a network with no
 * guest has no carrier, and os.networkInterfaces() leaves such interfaces out).
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** An IPv4 address as a number from /proc/net/route's hex, which is in the host's (little-endian) byte order. */
function routeWord(hex: string): number {
  const n = parseInt(hex, 16);
  return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;
}

/** The host's routes as [destination, mask] pairs, the default route (mask 0) left out. */
function routes(): [number, number][] {
  const lines = readFileSync('/proc/net/route', 'utf8').trim().split('\n').slice(1);
  return lines
    .map((line) => line.trim().split(/\s+/))
    .map((f): [number, number] => [routeWord(f[1]!), routeWord(f[7]!)])
    .filter(([, mask]) => mask !== 0);
}

/** The network's gateway address, `10.<second>.<n>.1`, with `n` chosen at random among the free ones. */
export function freeGatewayAddress(second: number): string {
  const table = routes();
  const free = Array.from({ length: 254 }, (_, i) => i + 1).filter((n) => {
    const net = ((10 << 24) | (second << 16) | (n << 8)) >>> 0;
    return !table.some(([dest, mask]) => {
      const common = (mask & 0xffffff00) >>> 0;
      return (net & common) >>> 0 === (dest & common) >>> 0;
    });
  });
  if (free.length === 0) throw new Error(`no free 10.${second}.n.0/24 on this host`);
  return `10.${second}.${free[randomInt(free.length)]!}.1`;
}
