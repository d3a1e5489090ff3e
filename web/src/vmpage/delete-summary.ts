// What deleting a VM removes and what it keeps, told before the user confirms: read from the info
// report (disks and their backing chains, Phyllome's chain records, NVRAM, TPM state, the linked clones
// standing on it) and the snapshot list, following the rules of src/machines/delete-vm.ts. The server
// checks every other domain again when it deletes: an image another VM uses is always kept, and its
// answer lists exactly what went. Pure: tested in delete-summary.test.ts.
import {
  dataDisks,
  recordedChains,
  snapshotNames as recordedSnapshots,
  type RecordedLayer,
  type VmInfoReport,
} from './report';

export interface SummaryItem {
  /** What it is, in plain words. */
  what: string;
  path?: string;
  /** Why it is kept (kept items), or the condition it goes under (maybe items). */
  why?: string;
}

export interface DeleteSummary {
  removed: SummaryItem[];
  kept: SummaryItem[];
  /** Removed unless the server finds another VM using it. */
  maybe: SummaryItem[];
  /** The VM runs: it is powered off first (needs `force`). */
  powersOff: boolean;
}

export interface DeleteChoices {
  keepDisks?: boolean;
  deleteImages?: boolean;
}

type Report = Pick<
  VmInfoReport,
  'name' | 'uuid' | 'state' | 'disks' | 'phyllome' | 'nvram' | 'tpm' | 'snapshots' | 'dependentClones'
>;

const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');

export function deleteSummary(
  report: Report,
  snapshotNames: readonly string[],
  vms: readonly { name: string; uuid: string }[],
  choices: DeleteChoices = {},
): DeleteSummary {
  const out: DeleteSummary = {
    removed: [{ what: `The definition of ${report.name}` }],
    kept: [],
    maybe: [],
    powersOff: !(report.state === 'shutoff' || report.state === 'crashed'),
  };
  const brought = report.phyllome?.options['disk-image'];
  const records = recordedChains(report);
  const seen = new Set<string>();
  const image = (what: string, path: string, layer: { owned: boolean }, sharedWhy: string | undefined) => {
    if (seen.has(path)) return;
    seen.add(path);
    if (choices.keepDisks) out.kept.push({ what, path, why: 'you chose to keep the disks' });
    else if (sharedWhy) out.kept.push({ what, path, why: sharedWhy });
    else if (!layer.owned && !choices.deleteImages)
      out.kept.push({ what, path, why: 'an image you brought when creating it (not made by Phyllome)' });
    else out.removed.push({ what, path });
  };

  for (const disk of dataDisks(report.disks)) {
    const path = disk.source;
    if (!path) continue;
    const record = records.find((r) => r.target === disk.target && r.path === path);
    image(`Disk ${disk.target}`, path, { owned: record ? record.owned : path !== brought }, undefined);
    let bases: (RecordedLayer & { recorded: boolean })[];
    if (record) bases = record.bases.map((b) => ({ ...b, recorded: true }));
    else
      bases = (disk.backingChain ?? []).slice(1).map((c) => ({ path: c.path, owned: true, recorded: false }));
    let shared: string | undefined;
    // Below a layer frozen for a VM that is gone, other clones of it may stand: the server knows.
    let doubt = false;
    for (const b of bases) {
      if (seen.has(b.path)) continue;
      if (!shared && b.from && b.from !== report.uuid) {
        const owner = vms.find((v) => v.uuid === b.from);
        if (owner) shared = `the base this linked clone stands on; "${owner.name}" uses it`;
        else doubt = true;
      }
      if (!shared && b.from === report.uuid && report.dependentClones.length)
        shared = `its linked clone${report.dependentClones.length > 1 ? 's' : ''} ${quoted(report.dependentClones)} stand${report.dependentClones.length > 1 ? '' : 's'} on it`;
      const what = `Base image of ${disk.target}`;
      if (shared || choices.keepDisks || !b.owned || (b.recorded && !doubt)) image(what, b.path, b, shared);
      else {
        // A chain Phyllome did not record (or under a gone VM's layer): only the server knows who uses it.
        seen.add(b.path);
        out.maybe.push({ what, path: b.path, why: 'unless another VM uses it (the server checks)' });
      }
    }
  }
  for (const disk of report.disks)
    if ((disk.device === 'cdrom' || disk.device === 'floppy') && disk.source)
      out.kept.push({
        what: `The medium in ${disk.target}`,
        path: disk.source,
        why: 'inserted media are never deleted',
      });

  if (report.nvram && report.nvram.exists !== false)
    out.removed.push({ what: 'UEFI variables (NVRAM)', path: report.nvram.path });
  if (report.tpm && report.tpm.exists !== false)
    out.removed.push({ what: `TPM ${report.tpm.version} state`, path: report.tpm.path });
  const snaps = [...new Set([...snapshotNames, ...recordedSnapshots(report)])];
  if (snaps.length)
    out.removed.push({
      what: `${snaps.length} snapshot${snaps.length > 1 ? 's' : ''}: ${quoted(snaps)}${choices.keepDisks ? ' (their records and NVRAM/TPM copies)' : ''}`,
    });
  return out;
}
