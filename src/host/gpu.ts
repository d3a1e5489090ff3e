import { isDisplayClass } from './pci-classes.js';
import { isPciAddress, type PciDevice } from './pci.js';
import type { RootFs } from './root-fs.js';

export interface GpuConnector {
  name: string;
  connected: boolean;
}

export interface Gpu {
  address: string;
  name: string;
  vendorId: string;
  driver: string | null;
  bootVga: boolean;
  /** `/dev/dri/renderD128`: needed for virgl 3D in guests. */
  renderNode: string | null;
  card: string | null;
  connectors: GpuConnector[];
  /** A display is connected and lit by this GPU: the host uses it. */
  drivesDisplay: boolean;
  /** Mediated device types (Intel GVT-g, NVIDIA vGPU). */
  mdevTypes: string[];
  /** SR-IOV virtual functions the GPU can offer. */
  sriovTotalVfs: number;
}

function pciOf(fs: RootFs, drmEntry: string): string | undefined {
  const real = fs.resolve(`sys/class/drm/${drmEntry}/device`);
  return real.known ? real.value.split('/').filter(isPciAddress).pop() : undefined;
}

/**
 * The host's DRM render nodes (`/dev/dri/renderD128`, …): listed in sys/class/drm and present in
 * /dev/dri. Cheaper than `probeGpus` (no PCI scan) for who needs only a node for virgl.
 */
export function renderNodes(fs: RootFs): string[] {
  return fs
    .entries('sys/class/drm')
    .filter((e) => /^renderD\d+$/.test(e) && fs.exists(`dev/dri/${e}`))
    .sort((a, b) => Number(a.slice(7)) - Number(b.slice(7)))
    .map((e) => `/dev/dri/${e}`);
}

/** GPUs from the PCI list, with their DRM cards, connectors and render nodes from sys/class/drm. */
export function probeGpus(fs: RootFs, pci: PciDevice[]): Gpu[] {
  const drm = fs.entries('sys/class/drm');
  const byPci = new Map<string, { card?: string; render?: string }>();
  for (const e of drm) {
    if (!/^(card\d+|renderD\d+)$/.test(e)) continue;
    const addr = pciOf(fs, e);
    if (!addr) continue;
    const slot = byPci.get(addr) ?? {};
    if (e.startsWith('card')) slot.card = e;
    else slot.render = e;
    byPci.set(addr, slot);
  }
  return pci
    .filter((d) => isDisplayClass(d.classCode))
    .map((d) => {
      const slot = byPci.get(d.address) ?? {};
      const connectors = slot.card
        ? drm
            .filter((e) => e.startsWith(`${slot.card}-`))
            .map((e) => {
              const status = fs.attr(`sys/class/drm/${e}/status`);
              return {
                name: e.slice(slot.card!.length + 1),
                connected: status.known && status.value === 'connected',
              };
            })
        : [];
      return {
        address: d.address,
        name: d.name,
        vendorId: d.vendorId,
        driver: d.driver,
        bootVga: d.bootVga === true,
        renderNode: slot.render ? `/dev/dri/${slot.render}` : null,
        card: slot.card ?? null,
        connectors,
        drivesDisplay: connectors.some((c) => c.connected),
        mdevTypes: d.mdevTypes.map((t) => (t.name ? `${t.id} (${t.name})` : t.id)),
        sriovTotalVfs: d.sriov?.totalVfs ?? 0,
      };
    });
}
