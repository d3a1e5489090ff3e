import type { DomainSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';

/** Shared memfd memory up front, so virtiofs folders can be shared later without changing the memory model. */
export function decideSharedMemory(ctx: ModelContext): Decision<DomainSpec['memoryBacking']> {
  const { profile, caps } = ctx;
  if (!profile.sharedMemory)
    return { choice: undefined, reason: 'private memory: no virtiofs driver expected in this guest' };
  if (caps && !caps.memoryBackingSources.includes('memfd'))
    return { choice: undefined, reason: 'private memory: QEMU here has no memfd backend for virtiofs' };
  return {
    choice: { source: 'memfd', access: 'shared' },
    reason: 'shared memfd memory: virtiofs needs it, and it costs nothing otherwise',
  };
}
