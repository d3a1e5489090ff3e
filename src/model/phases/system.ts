import { decideBoot } from '../decisions/boot.js';
import { decideClock } from '../decisions/clock.js';
import { decideFeatures } from '../decisions/features.js';
import { decideHyperv } from '../decisions/hyperv.js';
import { decideMemory } from '../decisions/memory.js';
import { decidePower } from '../decisions/power.js';
import { decideSharedMemory } from '../decisions/shared-memory.js';
import { decideTopology } from '../decisions/topology.js';
import { kibText } from '../size.js';
import type { DecisionLog } from './decision-log.js';
import type { Platform } from './platform.js';

/** How the platform is set up: vCPUs, memory, clock, features, Hyper-V, power states and boot. */
export function decideSystem({ ctx, machine, firmware }: Platform, log: DecisionLog) {
  const topology = log.take('topology', decideTopology(ctx), (c) => `${c.vcpus} vCPUs`);
  const memoryKiB = log.take('memory', decideMemory(ctx), kibText);
  const sharedMemory = log.take('shared-memory', decideSharedMemory(ctx), (c) =>
    c ? 'memfd, shared' : 'private',
  );
  const clock = log.take('clock', decideClock(ctx), (c) => c.offset);
  const features = log.take('features', decideFeatures(firmware.smm, machine.machine), (c) =>
    Object.keys(c).join(', '),
  );
  const hyperv = log.take('hyperv', decideHyperv(ctx), (c) => (c ? Object.keys(c).join(', ') : 'none'));
  const power = log.take(
    'power',
    decidePower(ctx, firmware),
    (c) => [c?.suspendToMem ? 'S3' : '', c?.suspendToDisk ? 'S4' : ''].filter(Boolean).join('+') || 'off',
  );
  const boot = log.take('boot', decideBoot(ctx), (c) => (c.kernel ? 'direct kernel' : c.boot.join(', ')));
  return { topology, memoryKiB, sharedMemory, clock, features, hyperv, power, boot };
}

export type SystemChoices = ReturnType<typeof decideSystem>;
