import type { Libvirt } from '../libvirt/index.js';
import { buildModel, type ModelResult } from '../model/build-model.js';
import type { ModelOptions } from '../model/options.js';
import { modelInput, type ModelInputOptions } from './model-input.js';

/** The VM name used when explaining without creating. */
export const EXPLAIN_NAME = 'example';

/** What `phyllo os explain ID --json` prints and `GET /api/os/{id}/explain` answers. */
export interface OsExplanation {
  os: ModelResult['guest'];
  decisions: ModelResult['decisions'];
  warnings: string[];
}

export function explanationOf(result: ModelResult): OsExplanation {
  return { os: result.guest, decisions: result.decisions, warnings: result.warnings };
}

/** Every decision the model makes for these options on the host behind `lv`. */
export async function explainOs(
  lv: Libvirt,
  options: ModelOptions,
  opts: ModelInputOptions = {},
): Promise<{ explanation: OsExplanation; result: ModelResult }> {
  const input = await modelInput(lv, options, opts);
  const result = buildModel(input.options, input.host);
  return { explanation: explanationOf(result), result };
}
