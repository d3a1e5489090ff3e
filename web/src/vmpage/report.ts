// The VM page's reading of the API's answers: `GET /api/vms/NAME` (= `phyllo vm info --json`,
// src/machines/vm-info-report.ts), its snapshots, its diagnosis. Pure: tested in report.test.ts.
import type { VmListEntry, VmState } from '../api/types';

export interface ChainImage {
  path: string;
  format?: string;
  allocationBytes?: number;
  capacityBytes?: number;
}

export interface VmDiskInfo {
  target: string;
  device: string;
  bus?: string;
  source?: string;
  format?: string;
  allocationBytes?: number;
  capacityBytes?: number;
  /** The disk's own image first, then what it stands on; null when it cannot be read from here. */
  backingChain: ChainImage[] | null;
}

export interface VmDisplay {
  type: string;
  address?: string;
  listen?: string;
  note?: string;
}

export interface VmStateFile {
  path: string;
  exists: boolean | null;
}

/** Phyllome's metadata as JSON: `extra` holds the disk chains and snapshots as XML nodes. */
export interface XmlNodeJson {
  name: string;
  attrs: Record<string, string>;
  children: XmlNodeJson[];
  text?: string;
}

export interface ExplainedDecision {
  topic: string;
  choice: string;
  reason: string;
}

export type VmDecisions =
  | {
      source: 're-derived';
      recordedModelVersion: number;
      currentModelVersion: number;
      decisions: ExplainedDecision[];
      warnings: string[];
    }
  | { source: 'unavailable'; reason: string };

/** What `GET /api/vms/NAME` answers. */
export interface VmInfoReport {
  name: string;
  uuid: string;
  state: VmState;
  /** Whether libvirt starts the VM when its daemon starts. */
  autostart: boolean;
  domainType: string;
  machine?: string;
  firmware?: string;
  summary: VmListEntry;
  phyllome?: {
    profile: string;
    os: string;
    modelVersion: number;
    options: Record<string, string>;
    extra?: XmlNodeJson[];
  };
  libosinfoId?: string;
  devices: { kind: string; summary: string; count: number }[];
  disks: VmDiskInfo[];
  displays: VmDisplay[];
  nvram: VmStateFile | null;
  tpm: (VmStateFile & { model: string; version: string }) | null;
  snapshots: { name: string; createdAt?: string; state?: string }[];
  dependentClones: string[];
  model: VmDecisions;
}

/** A snapshot, as `GET /api/vms/NAME/snapshots` lists it. */
export interface SnapshotEntry {
  name: string;
  created: string;
  disks: { target: string; image: string }[];
  nvram: boolean;
  tpm: boolean;
}

export interface Finding {
  id: string;
  severity: 'problem' | 'warning';
  summary: string;
  detail?: string;
  fix: string;
}

/** What `GET /api/vms/NAME/diagnose` answers (and a refused start's `diagnosis`). */
export interface Diagnosis {
  vm: string;
  host: string;
  state: VmState;
  lastStartFailure?: { at: string; message: string };
  qemuLog: { path: string; tail?: string; note?: string };
  findings: Finding[];
}

/**
 * The diagnosis a refused start (`vm-start-failed`) carries: the server puts it inside the error shape
 * (`{"error": {"code", "message", "hint", "diagnosis"}}`); a top-level one is taken too.
 */
export function startDiagnosis(body: Record<string, unknown>): Diagnosis | undefined {
  const inner = (body.error as Record<string, unknown> | undefined)?.diagnosis;
  return asDiagnosis(inner) ?? asDiagnosis(body.diagnosis);
}

/** Whether a value looks like a diagnosis (the body of a `vm-start-failed` error carries one). */
export function asDiagnosis(v: unknown): Diagnosis | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const d = v as Partial<Diagnosis>;
  return typeof d.vm === 'string' && Array.isArray(d.findings) && d.qemuLog ? (d as Diagnosis) : undefined;
}

/** What the console tab can offer: noVNC for VNC, remote-viewer's file for SPICE, or nothing. */
export type ConsoleKind = { kind: 'vnc' } | { kind: 'spice' } | { kind: 'none' };

export function consoleKind(displays: readonly VmDisplay[]): ConsoleKind {
  if (displays.some((d) => d.type === 'vnc')) return { kind: 'vnc' };
  if (displays.some((d) => d.type === 'spice')) return { kind: 'spice' };
  return { kind: 'none' };
}

/** The VM's removable drives (CD-ROM, floppy), with what is inserted. */
export function removableDrives(disks: readonly VmDiskInfo[]): VmDiskInfo[] {
  return disks.filter((d) => d.device === 'cdrom' || d.device === 'floppy');
}

/** The VM's data disks (no CD-ROM). */
export function dataDisks(disks: readonly VmDiskInfo[]): VmDiskInfo[] {
  return disks.filter((d) => d.device === 'disk' || d.device === 'lun');
}

/** The local name of an XML node (`phyllome:disk` → `disk`). */
const local = (n: XmlNodeJson) => n.name.slice(n.name.indexOf(':') + 1);

export interface RecordedLayer {
  path: string;
  owned: boolean;
  /** The UUID of the VM whose current image this was until a clone froze it. */
  from?: string;
}

export interface RecordedDisk {
  target: string;
  path: string;
  owned: boolean;
  bases: RecordedLayer[];
}

/** The disk chains Phyllome records in the VM's metadata (docs/disk-chains.md), empty when none. */
export function recordedChains(report: Pick<VmInfoReport, 'phyllome'>): RecordedDisk[] {
  const vm = report.phyllome?.extra ?? [];
  const disks = vm.find((n) => local(n) === 'disks');
  return (disks?.children ?? [])
    .filter((d) => local(d) === 'disk')
    .map((d) => ({
      target: d.attrs.target ?? '',
      path: d.attrs.path ?? '',
      owned: d.attrs.owned !== 'no',
      bases: d.children
        .filter((b) => local(b) === 'base')
        .map((b) => ({
          path: b.attrs.path ?? '',
          owned: b.attrs.owned !== 'no',
          ...(b.attrs.from ? { from: b.attrs.from } : {}),
        })),
    }));
}

/**
 * The names of the VM's snapshots: Phyllome's (recorded in its metadata, docs/snapshots.md) and any
 * libvirt keeps (the report's `snapshots`), each once.
 */
export function snapshotNames(report: Pick<VmInfoReport, 'phyllome' | 'snapshots'>): string[] {
  const snaps = (report.phyllome?.extra ?? []).find((n) => local(n) === 'snapshots');
  const ours = (snaps?.children ?? []).filter((s) => local(s) === 'snapshot').map((s) => s.attrs.name ?? '');
  return [...new Set([...ours.filter(Boolean), ...report.snapshots.map((s) => s.name)])];
}

/** Decisions grouped for the overview, in the model's order. */
export function decisionsOf(report: Pick<VmInfoReport, 'model'>): ExplainedDecision[] {
  return report.model.source === 're-derived' ? report.model.decisions : [];
}

/** A topic id in plain words (`disk-bus` → `Disk bus`). */
export function topicLabel(topic: string): string {
  const special: Record<string, string> = {
    os: 'Operating system',
    'domain-type': 'Accelerator',
    cpu: 'CPU model',
    nic: 'Network card',
    tpm: 'TPM',
    rng: 'Random numbers',
    iommu: 'IOMMU',
    hyperv: 'Hyper-V enlightenments',
  };
  if (special[topic]) return special[topic];
  const s = topic.replace(/-/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
