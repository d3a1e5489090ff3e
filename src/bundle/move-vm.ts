/**
 * Moves a shut-off VM to another host: its bundle streamed from the source's export straight into
 * the destination's import (no file between them, uncompressed: both ends are this process), then
 * the source deleted, only once the import has checked every entry and defined the VM there. A
 * failure on either side stops both (one AbortSignal): the import's own undo removes what it made
 * there, and the source is never touched, so at every point the VM is whole on at least one host.
 */
import { PassThrough } from 'node:stream';
import { PhyllomeError } from '../errors.js';
import type { Libvirt } from '../libvirt/index.js';
import { hostOffer } from '../machines/kvm-offer.js';
import { deleteVm, type DeletedVm } from '../machines/delete-vm.js';
import { domainExists } from '../machines/find-vm.js';
import { VmExistsError } from '../machines/errors.js';
import type { ModelHostFacts } from '../model/host-facts.js';
import { exportVm } from './export-vm.js';
import { importVm, type ImportedVm } from './import-vm.js';
import { sweepRemoteRuns } from './remote-journal.js';

export type MovePhase = 'checksums' | 'bundle';

/** The job's words for a move phase. */
export const MOVE_PHASE_WORDS: Record<MovePhase, string> = {
  checksums: 'checksums of the disk data here',
  bundle: 'bundle data there',
};

export interface MoveOptions {
  /** Leave the VM defined on the source (a copy, with the same UUID, on the destination). */
  keepSource?: boolean;
  /** The destination's storage pool for the disk. */
  pool?: string;
  phyllomeVersion: string;
  signal?: AbortSignal;
  /**
   * A new connection to the destination, for removing what a failed import there could not take
   * back over its own (cut) connection; without it that is left to the next run to that host.
   */
  reopenDestination?: () => Promise<Libvirt>;
  /**
   * First the source's pass over the disk data for the checksums (`checksums`: data bytes read of
   * `total`), then the bundle bytes the destination has taken of `total` (`bundle`).
   */
  progress?: (done: number, total: number, phase: MovePhase) => void;
}

export interface MovedVm {
  imported: ImportedVm;
  /** What the source's delete removed and kept; absent with `keepSource`. */
  deleted?: DeletedVm;
}

/** The source and the destination are the same host (the same libvirt host UUID). */
export class MoveSameHostError extends PhyllomeError {
  override name = 'MoveSameHostError';
  constructor(uuid: string) {
    super('move-same-host', `The destination is the VM's own host (host UUID ${uuid})`, {
      hint: 'Give --to a URI of another host; for a second VM here use phyllo vm clone.',
    });
  }
}

/** Removes what failed runs left on a host, over a connection of its own; a host still out of reach is left for later. */
async function sweepThrough(open: () => Promise<Libvirt>): Promise<void> {
  const lv = await open().catch(() => undefined);
  if (!lv) return;
  try {
    await sweepRemoteRuns(lv).catch(() => undefined);
  } finally {
    await lv.close().catch(() => undefined);
  }
}

async function hostUuid(lv: Libvirt): Promise<string> {
  return hostOffer(await lv.capabilities()).hostUuid;
}

/**
 * What a move refuses before any byte moves: the same host at both ends, a VM of that name there
 * already. A caller that runs the move as a job (the API) asks this first, so these refusals come
 * at once rather than as a failed job.
 */
export async function checkMove(src: Libvirt, dst: Libvirt, name: string): Promise<void> {
  const [from, to] = await Promise.all([hostUuid(src), hostUuid(dst)]);
  if (from === to) throw new MoveSameHostError(from);
  if (await domainExists(dst, name)) throw new VmExistsError(name);
}

/** Moves the VM `name` from `src` to `dst`; `dstHost` is the destination's facts, for its model. */
export async function moveVm(
  src: Libvirt,
  dst: Libvirt,
  name: string,
  dstHost: ModelHostFacts,
  opts: MoveOptions,
): Promise<MovedVm> {
  await checkMove(src, dst, name);
  const stop = new AbortController();
  const onAbort = () => stop.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const pipe = new PassThrough({ highWaterMark: 4 << 20 });
  const first: { err?: unknown } = {};
  const fail = (err: unknown) => {
    if ('err' in first) return;
    first.err = err;
    stop.abort(err);
    pipe.destroy();
  };
  try {
    const exporting = exportVm(src, name, '-', {
      phyllomeVersion: opts.phyllomeVersion,
      stream: pipe,
      signal: stop.signal,
      progress: (done, total, phase) => {
        if (phase === 'checksums') opts.progress?.(done, total, 'checksums');
      },
    }).then(
      () => pipe.end(),
      (err: unknown) => {
        fail(err);
        throw err;
      },
    );
    const importing = importVm(dst, pipe, dstHost, {
      ...(opts.pool ? { pool: opts.pool } : {}),
      signal: stop.signal,
      progress: (done, total) => opts.progress?.(done, total, 'bundle'),
    }).catch((err: unknown) => {
      fail(err);
      throw err;
    });
    const [, i] = await Promise.allSettled([exporting, importing]);
    // The side that failed first has the cause: the other one then only saw its stream cut.
    if ('err' in first) {
      if (opts.reopenDestination) await sweepThrough(opts.reopenDestination);
      throw first.err;
    }
    const imported = (i as PromiseFulfilledResult<ImportedVm>).value;
    if (opts.keepSource) return { imported };
    return { imported, deleted: await deleteVm(src, name) };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
