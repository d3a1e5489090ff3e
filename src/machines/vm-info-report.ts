import { parseUri, type Libvirt } from '../libvirt/index.js';
import { buildModel, MODEL_VERSION, type ExplainedDecision } from '../model/build-model.js';
import { modelOptionsFromFlags } from '../model/options.js';
import { gatherModelHostFacts } from './model-host-facts.js';
import { vmInfo, type VmInfoFacts } from './vm-info.js';

/**
 * The model's choices for a VM. Create stores the OS and the options given, not the reasons; the reasons
 * are re-derived by running the model again on those options with the host's facts of today, and say so.
 */
export type VmDecisions =
  | {
      source: 're-derived';
      /** The model version the VM was created with, and the one that re-derived the reasons. */
      recordedModelVersion: number;
      currentModelVersion: number;
      decisions: ExplainedDecision[];
      warnings: string[];
    }
  | { source: 'unavailable'; reason: string };

/** What `phyllo vm info NAME --json` prints and `GET /api/vms/{name}` answers. */
export type VmInfoReport = VmInfoFacts & { model: VmDecisions };

const BOOLEAN_OPTIONS = new Set(['session', 'migratable']);

async function rederive(lv: Libvirt, info: VmInfoFacts, session: boolean): Promise<VmDecisions> {
  const meta = info.phyllome;
  if (!meta?.os)
    return { source: 'unavailable', reason: 'not created by phyllo: its metadata records no OS and options' };
  try {
    const values = Object.fromEntries(
      Object.entries(meta.options).map(([k, v]) => [k, BOOLEAN_OPTIONS.has(k) ? v === 'true' : v]),
    );
    const options = modelOptionsFromFlags(values, info.name, meta.os);
    const host = await gatherModelHostFacts(lv, { session });
    const result = buildModel({ ...options, session }, host);
    return {
      source: 're-derived',
      recordedModelVersion: meta.modelVersion,
      currentModelVersion: MODEL_VERSION,
      decisions: result.decisions,
      warnings: result.warnings,
    };
  } catch (err) {
    return {
      source: 'unavailable',
      reason: `the model could not run again on the recorded options: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/** The VM's facts (`vmInfo`) and the model's choices for it, re-derived on today's host facts. */
export async function vmInfoReport(lv: Libvirt, name: string): Promise<VmInfoReport> {
  const info = await vmInfo(lv, name);
  return { ...info, model: await rederive(lv, info, parseUri(lv.requestedUri).path === '/session') };
}
