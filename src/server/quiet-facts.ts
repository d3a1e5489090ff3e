import type { Libvirt } from '../libvirt/index.js';
import { gatherModelHostFacts } from '../machines/model-host-facts.js';

/** Progress a route has nowhere to show (no terminal): dropped. */
export const quiet = (): void => undefined;

/** The host's facts for the model, gathered without progress lines. */
export function modelHostFacts(lv: Libvirt): ReturnType<typeof gatherModelHostFacts> {
  return gatherModelHostFacts(lv, { onProgress: quiet });
}
