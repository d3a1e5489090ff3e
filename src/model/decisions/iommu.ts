import type { Decision, ModelContext } from './context.js';

/** virtio-iommu only pays off with device passthrough, which a new VM does not have yet. */
export function decideIommu(ctx: ModelContext): Decision<'none'> {
  return {
    choice: 'none',
    reason:
      ctx.profile.family === 'linux'
        ? 'no virtio-iommu: without passthrough devices it only adds DMA-mapping overhead'
        : 'no IOMMU: the guest has no passthrough devices',
  };
}
