// The VM page's export and move (Export tab): the download's address, why it cannot start now, the
// job that makes it, and the hosts a VM can move to. Pure: tested in transfer.test.ts.
import { vmPath, withQuery } from '../api/client';
import type { HostSummary, Job, VmState } from '../api/types';

export type Compress = 'zstd' | 'none';

/** The download: GET /api/vms/NAME/export (a plain link: the session cookie goes with it). */
export function exportHref(host: string, name: string, compress: Compress): string {
  return withQuery(vmPath(name, '/export'), { host, compress });
}

/** What the browser saves it as (the server's Content-Disposition says the same). */
export function bundleFileName(name: string, compress: Compress): string {
  return `${name}.phyllo.tar${compress === 'zstd' ? '.zst' : ''}`;
}

/** Why the VM cannot be exported or moved now (undefined: it can), in the server's terms. */
export function transferBlocked(name: string, state: VmState | undefined, what: string): string | undefined {
  if (state === undefined) return `The state of ${name} is not known yet.`;
  if (state === 'shutoff') return undefined;
  return `${what} needs ${name} shut off, so that its disks, UEFI variables and TPM state are consistent; shut it down first.`;
}

/** The newest job of `kind` on this VM (running or not), for its progress on the page. */
export function latestJob(
  jobs: Record<string, Job>,
  kind: string,
  host: string,
  vm: string,
): Job | undefined {
  let out: Job | undefined;
  for (const j of Object.values(jobs)) {
    if (j.kind !== kind || j.host !== host || j.vm !== vm) continue;
    if (!out || j.startedAt > out.startedAt) out = j;
  }
  return out;
}

/** The hosts a VM of `current` can move to: the other connected ones. */
export function moveTargets(hosts: readonly HostSummary[], current: string): HostSummary[] {
  return hosts.filter((h) => h.id !== current && h.connected);
}
