import { decideBalloon } from '../decisions/balloon.js';
import { decideChannels } from '../decisions/channels.js';
import { decideConsole } from '../decisions/console.js';
import type { ModelContext } from '../decisions/context.js';
import { decideControllers } from '../decisions/controllers.js';
import { decideDiskBus, decideDisks } from '../decisions/disks.js';
import { decideGraphics, decideVideo } from '../decisions/display.js';
import { decideInput } from '../decisions/input.js';
import { decideIommu } from '../decisions/iommu.js';
import { decideNic } from '../decisions/nic.js';
import { decideRng } from '../decisions/rng.js';
import { decideTpm } from '../decisions/tpm.js';
import type { DevicesSpec } from '../spec.js';
import type { DecisionLog } from './decision-log.js';

/** The system disk's size: none when asked for none or booting a kernel without a disk size. */
function systemDiskMiB(ctx: ModelContext): number | undefined {
  const { options: opts, guest } = ctx;
  if (opts.diskMiB !== undefined && opts.diskMiB !== 'none' && opts.diskMiB < guest.minimum.diskGiB * 1024)
    ctx.warnings.push(`${guest.name} needs at least ${guest.minimum.diskGiB} GiB of disk`);
  return opts.diskMiB === 'none' || (opts.kernel && opts.diskMiB === undefined)
    ? undefined
    : (opts.diskMiB ?? guest.recommended.diskGiB * 1024);
}

/** Every device: disks, controllers, NIC, display, input, TPM, RNG, balloon, channels, console, IOMMU. */
export function decideDevices(
  ctx: ModelContext,
  machine: string,
  log: DecisionLog,
): { devices: DevicesSpec; diskMiB: number | undefined } {
  const bus = log.take('disk-bus', decideDiskBus(ctx), (c) => c);
  const diskMiB = systemDiskMiB(ctx);
  const disks = log.take(
    'disks',
    decideDisks(ctx, bus, diskMiB),
    (c) => c.map((d) => `${d.target} ${d.device}`).join(', ') || 'none',
  );
  const controllers = log.take(
    'controllers',
    decideControllers(machine),
    (c) => c.map((x) => x.model ?? x.type).join(', ') || 'built-in',
  );
  const nic = log.take(
    'nic',
    decideNic(ctx),
    (c) => `${c.model} on ${c.type === 'user' ? `user${c.backend ? '/passt' : ''}` : c.network}`,
  );
  const graphics = log.take('display', decideGraphics(ctx), (c) =>
    c ? `${c.type}${c.gl ? ' + gl' : ''}${c.listen === 'socket' ? ' on a UNIX socket' : ''}` : 'none',
  );
  const videos = log.take('video', decideVideo(ctx, graphics), (c) => c.map((v) => v.model).join(', '));
  const inputs = log.take(
    'input',
    decideInput(ctx, graphics !== undefined),
    (c) => c.map((i) => `${i.bus} ${i.type}`).join(', ') || 'ps2',
  );
  const tpm = log.take('tpm', decideTpm(ctx), (c) => (c ? `${c.model} ${c.version}` : 'none'));
  const rng = log.take('rng', decideRng(ctx), (c) => (c ? 'virtio' : 'none'));
  const memballoon = log.take('balloon', decideBalloon(ctx), (c) => c.model);
  const channels = log.take(
    'channels',
    decideChannels(ctx, graphics),
    (c) => c.map((x) => x.name).join(', ') || 'none',
  );
  const serialConsole = log.take('console', decideConsole(ctx), () => 'serial');
  log.take('iommu', decideIommu(ctx), (c) => c);
  return {
    diskMiB,
    devices: {
      disks,
      controllers,
      interfaces: [nic],
      graphics: graphics ? [graphics] : [],
      videos,
      inputs,
      ...(tpm ? { tpm } : {}),
      ...(rng ? { rng } : {}),
      memballoon,
      channels,
      ...serialConsole,
      extra: [],
    },
  };
}
