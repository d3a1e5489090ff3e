import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { deleteVm, snapshots as listSnapshots } from '../../api/vms';
import { useStore } from '../../store';
import { deleteSummary, type SummaryItem } from '../../vmpage/delete-summary';
import type { SnapshotEntry, VmInfoReport } from '../../vmpage/report';
import { ErrorBox } from '../error-box';
import { Dialog } from './dialog';

export interface Deleted {
  name: string;
  removed: string[];
  kept: { path: string; why: string }[];
  snapshots: string[];
  nvram?: string;
  tpm?: string;
  poweredOff: boolean;
}

function Items({ items }: { items: SummaryItem[] }) {
  return (
    <ul className="summary-items">
      {items.map((i, n) => (
        <li key={`${i.path ?? i.what}-${n}`}>
          {i.what}
          {i.path ? (
            <>
              : <code>{i.path}</code>
            </>
          ) : null}
          {i.why ? <span className="muted"> — {i.why}</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** The server's account of a delete: what it removed and what it kept, and the way back. */
export function DeletedView({ deleted }: { deleted: Deleted }) {
  return (
    <div className="deleted" role="status">
      <h1>{deleted.name} is deleted</h1>
      {deleted.poweredOff ? <p>It was powered off first.</p> : null}
      <p>Removed:</p>
      <ul className="summary-items">
        <li>its definition</li>
        {deleted.removed.map((p) => (
          <li key={p}>
            <code>{p}</code>
          </li>
        ))}
        {deleted.nvram ? (
          <li>
            UEFI variables <code>{deleted.nvram}</code>
          </li>
        ) : null}
        {deleted.tpm ? (
          <li>
            TPM state <code>{deleted.tpm}</code>
          </li>
        ) : null}
        {deleted.snapshots.length ? <li>snapshots: {deleted.snapshots.join(', ')}</li> : null}
      </ul>
      {deleted.kept.length ? (
        <>
          <p>Kept:</p>
          <ul className="summary-items">
            {deleted.kept.map((k) => (
              <li key={k.path}>
                <code>{k.path}</code> <span className="muted">— {k.why}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p>
        <Link href="/">Back to the VMs</Link>
      </p>
    </div>
  );
}

/**
 * Delete, with a dialog that names what goes (definition, the disks it owns, NVRAM, TPM state,
 * snapshots) and what stays (a base a linked clone or its source uses, an image brought along), then
 * the server's own account of what it removed.
 */
export function Delete({
  host,
  name,
  report,
  onDeleted,
}: {
  host: string;
  name: string;
  report: VmInfoReport;
  onDeleted: (d: Deleted) => void;
}) {
  const vms = useStore((s) => s.vms[host]?.list);
  const [open, setOpen] = useState(false);
  const [snaps, setSnaps] = useState<string[]>([]);
  const [keepDisks, setKeepDisks] = useState(false);
  const [deleteImages, setDeleteImages] = useState(false);
  const [force, setForce] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    if (!open) return;
    listSnapshots<{ snapshots: SnapshotEntry[] }>(host, name)
      .then((r) => setSnaps(r.snapshots.map((s) => s.name)))
      .catch(() => setSnaps([]));
  }, [open, host, name]);

  const summary = deleteSummary(report, snaps, vms ?? [], { keepDisks, deleteImages });
  const brought = report.phyllome?.options['disk-image'];

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = (await deleteVm(host, name, {
        ...(keepDisks ? { keepDisks: true } : {}),
        ...(deleteImages ? { deleteImages: true } : {}),
        ...(summary.powersOff ? { force: true } : {}),
      })) as unknown as Deleted;
      setOpen(false);
      onDeleted(r);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="delete">
      <p>
        Deleting {name} removes its definition and the files Phyllome made for it. The next step shows which,
        and what is kept.
      </p>
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        Delete {name}…
      </button>
      <Dialog open={open} title={`Delete ${name}?`} onClose={() => setOpen(false)} className="delete-dialog">
        <div className="dialog-body">
          {summary.powersOff ? (
            <p className="notice">
              {name} is {report.state === 'paused' ? 'paused' : 'running'}: it is powered off first, without a
              clean shutdown.
            </p>
          ) : null}
          <h3>Removed</h3>
          <Items items={summary.removed} />
          {summary.maybe.length ? (
            <>
              <h3>Removed unless another VM uses it</h3>
              <Items items={summary.maybe} />
            </>
          ) : null}
          {summary.kept.length ? (
            <>
              <h3>Kept</h3>
              <Items items={summary.kept} />
            </>
          ) : null}
          <p className="muted">
            The server checks every other VM again as it deletes: an image another VM uses is always kept.
          </p>
          <fieldset>
            <legend>Options</legend>
            <label className="choice">
              <input type="checkbox" checked={keepDisks} onChange={(e) => setKeepDisks(e.target.checked)} />
              Keep the disk images (only the definition, NVRAM, TPM state and snapshots go)
            </label>
            {brought ? (
              <label className="choice">
                <input
                  type="checkbox"
                  checked={deleteImages}
                  disabled={keepDisks}
                  onChange={(e) => setDeleteImages(e.target.checked)}
                />
                Also delete the image I brought (<code>{brought}</code>)
              </label>
            ) : null}
            {summary.powersOff ? (
              <label className="choice">
                <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} />
                Power it off and delete it
              </label>
            ) : null}
          </fieldset>
          <ErrorBox error={error} title="It was not deleted" />
        </div>
        <div className="dialog-actions">
          <button type="button" onClick={() => setOpen(false)} autoFocus>
            Cancel
          </button>
          <button
            type="button"
            className="danger solid"
            disabled={busy || (summary.powersOff && !force)}
            onClick={() => void confirm()}
          >
            {busy ? 'Deleting…' : `Delete ${name}`}
          </button>
        </div>
      </Dialog>
    </div>
  );
}
