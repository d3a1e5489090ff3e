import type { HostFacts } from '../probe.js';
import { check, type Check } from './types.js';

const INTEL = '8086';

export function gpu3d(h: HostFacts): Check {
  const id = 'gpu.3d';
  const withRender = h.gpus.filter((g) => g.renderNode);
  if (withRender.length)
    return check(
      id,
      'pass',
      'A GPU with a render node: guests can get 3D acceleration (virgl)',
      withRender.map((g) => `${g.name}: ${g.renderNode}`).join('; '),
    );
  if (h.gpus.length)
    return check(
      id,
      'info',
      'No render node: guests get 2D graphics only',
      h.gpus.map((g) => `${g.name}: driver ${g.driver ?? 'none'}`).join('; '),
      'Load the GPU driver (e.g. install firmware-misc-nonfree or firmware-amd-graphics) to get /dev/dri/renderD*.',
    );
  return check(id, 'info', 'No GPU found: guests get 2D graphics only', 'no display-class PCI device');
}

export function gpuSharing(h: HostFacts): Check {
  const id = 'gpu.sharing';
  const mdev = h.gpus.filter((g) => g.mdevTypes.length);
  const sriov = h.gpus.filter((g) => g.sriovTotalVfs > 0);
  if (mdev.length || sriov.length) {
    const parts = [
      ...mdev.map((g) => `${g.name}: mediated types ${g.mdevTypes.join(', ')}`),
      ...sriov.map((g) => `${g.name}: ${g.sriovTotalVfs} SR-IOV virtual functions`),
    ];
    return check(id, 'pass', 'A GPU can be shared with guests (vfio-mdev / SR-IOV)', parts.join('; '));
  }
  const intel = h.gpus.find((g) => g.vendorId === INTEL);
  if (intel)
    return check(
      id,
      'info',
      'The Intel GPU offers no sharing types',
      `${intel.name}: no mdev_supported_types`,
      'For Intel GPUs up to 10th generation: add `i915.enable_gvt=1` to the kernel command line and load kvmgt. 11th generation and newer need SR-IOV (out-of-tree drivers).',
    );
  return check(
    id,
    'info',
    'No GPU sharing (mdev/SR-IOV): a GPU can only be given whole to one guest',
    h.gpus.length ? h.gpus.map((g) => g.name).join('; ') : 'no GPU',
  );
}

export function powerBattery(h: HostFacts): Check {
  const id = 'power.battery';
  const p = h.power;
  if (!p.batteryPresent)
    return check(
      id,
      'info',
      'No battery: a desktop or server',
      p.supplies.map((s) => `${s.name} (${s.type})`).join(', '),
    );
  const state = `battery ${p.capacity ?? '?'}%${p.batteryStatus ? `, ${p.batteryStatus.toLowerCase()}` : ''}`;
  if (p.onBattery)
    return check(
      id,
      'warn',
      `Running on battery (${state}): guests drain it fast`,
      p.supplies.map((s) => `${s.name} (${s.type})`).join(', '),
      'Plug in the charger for long-running guests, or pause them while on battery (`virsh suspend NAME`).',
    );
  return check(
    id,
    'info',
    `A laptop on mains power (${state})`,
    p.supplies.map((s) => `${s.name} (${s.type})`).join(', '),
  );
}
