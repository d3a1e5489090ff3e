// Tiny shut-off VMs for the benchmarks that list many VMs (vm-list, api): defined at once on the
// daemon, with Phyllome's metadata so `vm list` reports an OS for each, and removed again, on a fresh
// connection if the first one failed (a busy daemon can drop it), saying so loudly if any is left.
// Run from the repository root after `npm run build`.
import { randomBytes } from 'node:crypto';

const { connect } = await import('../dist/src/libvirt/index.js');
const { PHYLLOME_NS, LIBOSINFO_NS } = await import('../dist/src/model/domain-xml/build-domain.js');

const domainXml = (name, i) => `<domain type='qemu'>
  <name>${name}</name>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo='${LIBOSINFO_NS}'><libosinfo:os id='http://debian.org/debian/12'/></libosinfo:libosinfo>
    <phyllome:vm xmlns:phyllome='${PHYLLOME_NS}'><phyllome:profile>linux</phyllome:profile><phyllome:os>debian12</phyllome:os><phyllome:model-version>1</phyllome:model-version><phyllome:options/></phyllome:vm>
  </metadata>
  <memory unit='MiB'>${64 + (i % 4) * 64}</memory>
  <vcpu>${1 + (i % 2)}</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
</domain>`;

/**
 * Defines `count` VMs named `phyllo-bench-TAG-NNN` (64–256 MiB, 1–2 vCPUs, q35, no disk, shut off).
 * Returns their names, the prefix they share, and `removeAll()` (idempotent; also run on Ctrl-C);
 * `handleSigint: false` leaves Ctrl-C to the caller. `track(name)` adds a VM the bench defines itself (running ones are destroyed, then undefined).
 */
export async function defineBenchVms(uri, count, { handleSigint = true } = {}) {
  const tag = randomBytes(3).toString('hex');
  const prefix = `phyllo-bench-${tag}-`;
  const names = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);
  const owned = new Set(names);
  let lv = await connect(uri);
  let removed;
  async function remove() {
    for (let attempt = 0; attempt < 3; attempt++) {
      const left = (await lv.domains.list().catch(() => undefined))?.filter((d) => owned.has(d.name));
      if (left?.length === 0) return;
      // Running ones (the API bench's guests) are destroyed first; flag 4 removes NVRAM too.
      if (left)
        await Promise.all(
          left.map(async (d) => {
            await d.destroy().catch(() => undefined);
            await d.undefine(4).catch(() => undefined);
          }),
        );
      else {
        await lv.close().catch(() => undefined);
        lv = await connect(uri);
      }
    }
    const still = (await lv.domains.list()).filter((d) => owned.has(d.name));
    if (still.length) console.error(`could not remove ${still.length} bench VMs (${prefix}*)`);
  }
  const removeAll = () => (removed ??= remove());
  const onSigint = () => void removeAll().then(() => process.exit(130));
  // A bench with more to undo (servers, users) handles Ctrl-C itself and calls removeAll().
  if (handleSigint) process.once('SIGINT', onSigint);
  try {
    await Promise.all(names.map((n, i) => lv.domains.define(domainXml(n, i))));
  } catch (err) {
    await removeAll();
    throw err;
  }
  return {
    names,
    prefix,
    /** The connection the VMs were defined on (for more calls of the bench's own). */
    get lv() {
      return lv;
    },
    /** Another VM of the bench's, removed with the rest. */
    track: (name) => owned.add(name),
    async removeAll() {
      await removeAll();
      process.off('SIGINT', onSigint);
      await lv.close().catch(() => undefined);
    },
  };
}
