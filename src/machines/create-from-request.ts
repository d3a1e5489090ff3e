/**
 * `vm create` as the CLI and the API both run it, around `createVm`: the OS detected from the
 * installer medium when none is named, the model's XML without defining anything (`--print-xml`),
 * and a start right after the create whose failure still leaves the VM created.
 */
import { OsinfoDb } from '../catalog/osinfo.js';
import { PhyllomeError } from '../errors.js';
import type { Libvirt } from '../libvirt/index.js';
import { buildModel, type ExplainedDecision } from '../model/build-model.js';
import type { ModelHostFacts } from '../model/host-facts.js';
import type { ModelOptions } from '../model/options.js';
import { createVm, type CreatedVm, type CreateVmDeps } from './create-vm.js';
import { identifyOs, readMediumIdentity, type DetectedOs } from './detect-os.js';
import { remoteHostOf } from './model-host-facts.js';
import { VmStartError } from './power-errors.js';

/** The model's XML for a VM, defining nothing (`vm create --print-xml`). */
export interface PreviewedVm {
  name: string;
  xml: string;
  decisions: ExplainedDecision[];
  warnings: string[];
  detected?: DetectedOs;
}

/** A created VM, with the OS detected from its installer medium when none was named. */
export type CreatedVmWithOs = CreatedVm & { detected?: DetectedOs };

/** `--iso` without `--os`: the OS the medium installs (the ISO path is checked by then). */
async function detect(lv: Libvirt, options: ModelOptions): Promise<DetectedOs> {
  const iso = options.iso as string;
  const remote = remoteHostOf(lv.requestedUri) !== undefined;
  return identifyOs(new OsinfoDb(), iso, await readMediumIdentity(iso, remote ? lv : undefined));
}

/** The detection as the first decision, so `--json` and the human output both carry it. */
function detectionDecision(d: DetectedOs): ExplainedDecision {
  return { topic: 'os', choice: `${d.os} (${d.name}), detected from the installer medium`, reason: d.reason };
}

/** The options with the OS filled in from the medium when `os` is empty and an ISO is given. */
async function withOs(
  lv: Libvirt,
  options: ModelOptions,
): Promise<{ options: ModelOptions; detected?: DetectedOs }> {
  if (options.os !== '' || options.iso === undefined) return { options };
  const detected = await detect(lv, options);
  return { options: { ...options, os: detected.os }, detected };
}

function withDetection<T extends { decisions: ExplainedDecision[] }>(
  r: T,
  detected: DetectedOs | undefined,
): T & { detected?: DetectedOs } {
  return detected ? { ...r, detected, decisions: [detectionDecision(detected), ...r.decisions] } : r;
}

/** The XML and decisions `createVm` would use; `options` are checked (`modelInput`). */
export async function previewVm(
  lv: Libvirt,
  options: ModelOptions,
  host: ModelHostFacts,
): Promise<PreviewedVm> {
  const o = await withOs(lv, options);
  const r = withDetection(buildModel(o.options, host), o.detected);
  return {
    name: options.name,
    xml: r.xml,
    decisions: r.decisions,
    warnings: r.warnings,
    ...(r.detected ? { detected: r.detected } : {}),
  };
}

/** `createVm`, the OS detected from the medium when `options.os` is empty. */
export async function createVmWithOs(
  lv: Libvirt,
  options: ModelOptions,
  host: ModelHostFacts,
  deps: CreateVmDeps = {},
): Promise<CreatedVmWithOs> {
  const o = await withOs(lv, options);
  return withDetection(await createVm(lv, o.options, host, deps), o.detected);
}

/**
 * Runs `start` on a VM just created. A start that fails leaves the VM defined (it is what the user
 * asked to create, and the diagnosis says why it did not start): libvirt's refusal becomes the error
 * naming the created VM (`created` in its JSON); any other error's hint says the VM stays defined.
 */
export async function startCreatedVm<T>(vm: CreatedVm, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if (err instanceof VmStartError)
      throw err.afterCreate({ name: vm.name, uuid: vm.uuid, ...(vm.disk ? { disk: vm.disk } : {}) });
    // Not libvirt's refusal (the connection, another command on the VM): the VM is there all the same.
    if (err instanceof PhyllomeError)
      Object.assign(err, {
        hint: `VM "${vm.name}" was created and stays defined. ${err.hint ?? ''}`.trim(),
      });
    throw err;
  }
}
