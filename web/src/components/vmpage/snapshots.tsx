import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { VmState } from '../../api/types';
import { createSnapshot, deleteSnapshot, revertSnapshot, snapshots as listSnapshots } from '../../api/vms';
import { isShutOff } from '../../vmpage/actions';
import { checkSnapshotName } from '../../vmpage/forms';
import type { SnapshotEntry } from '../../vmpage/report';
import { ErrorBox } from '../error-box';
import { ConfirmDialog } from './dialog';

/** Snapshots of a shut-off VM: its disks frozen, its UEFI variables and TPM state copied (docs/snapshots.md). */
export function Snapshots({
  host,
  name,
  state,
  onChanged,
}: {
  host: string;
  name: string;
  state: VmState | undefined;
  onChanged: () => void;
}) {
  const [list, setList] = useState<SnapshotEntry[]>();
  const [loadError, setLoadError] = useState<unknown>();
  const [snapName, setSnapName] = useState('');
  const [formError, setFormError] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const [asking, setAsking] = useState<{ op: 'revert' | 'delete'; snap: string }>();
  const [done, setDone] = useState<string>();

  const load = useCallback(async () => {
    try {
      const r = await listSnapshots<{ snapshots: SnapshotEntry[] }>(host, name);
      setList(r.snapshots);
      setLoadError(undefined);
    } catch (err) {
      setLoadError(err);
    }
  }, [host, name]);
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (label: string, f: () => Promise<unknown>, message: string) => {
    setBusy(label);
    setError(undefined);
    setDone(undefined);
    try {
      await f();
      setDone(message);
      await load();
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  };

  const create = (e: FormEvent) => {
    e.preventDefault();
    const c = checkSnapshotName(snapName);
    if (!c.ok) return setFormError(c.error);
    setFormError(undefined);
    void act('create', () => createSnapshot(host, name, c.value), `Snapshot "${c.value}" created.`).then(() =>
      setSnapName(''),
    );
  };

  const off = isShutOff(state);
  return (
    <div className="snapshots">
      {!off ? (
        <p className="notice">
          Snapshots are taken of a shut-off VM (its disks frozen as they are); shut {name} down first. The
          server refuses a running VM&rsquo;s snapshot and says why.
        </p>
      ) : null}
      <form className="inline-form" onSubmit={create} noValidate>
        <label htmlFor="snap-name">New snapshot</label>
        <input
          id="snap-name"
          value={snapName}
          onChange={(e) => setSnapName(e.target.value)}
          placeholder="before-update"
          aria-invalid={formError ? true : undefined}
          aria-describedby={formError ? 'snap-name-error' : undefined}
        />
        <button type="submit" className="primary" disabled={busy !== undefined}>
          {busy === 'create' ? 'Creating…' : 'Create snapshot'}
        </button>
        {formError ? (
          <p id="snap-name-error" className="field-error" role="alert">
            {formError}
          </p>
        ) : null}
      </form>
      <ErrorBox error={error} title="The snapshot operation failed" />
      {done ? (
        <p role="status" className="ok-note">
          {done}
        </p>
      ) : null}
      <ErrorBox error={loadError} title="The snapshots could not be read" />
      {list === undefined && !loadError ? <p className="loading">Loading…</p> : null}
      {list?.length === 0 ? <p className="muted">No snapshots yet.</p> : null}
      {list?.length ? (
        <table className="snapshot-list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col" className="hide-narrow">
                Holds
              </th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((s) => (
              <tr key={s.name} data-snapshot={s.name}>
                <th scope="row">{s.name}</th>
                <td>{s.created ? new Date(s.created).toLocaleString() : '—'}</td>
                <td className="hide-narrow">
                  {[
                    s.disks.map((d) => d.target).join(', ') || 'no disks',
                    s.nvram ? 'UEFI variables' : '',
                    s.tpm ? 'TPM state' : '',
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </td>
                <td className="row-actions">
                  <button
                    type="button"
                    disabled={busy !== undefined}
                    onClick={() => setAsking({ op: 'revert', snap: s.name })}
                  >
                    Revert<span className="sr-only"> to {s.name}</span>
                  </button>
                  <button
                    type="button"
                    className="danger"
                    disabled={busy !== undefined}
                    onClick={() => setAsking({ op: 'delete', snap: s.name })}
                  >
                    Delete<span className="sr-only"> {s.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <ConfirmDialog
        open={asking !== undefined}
        title={
          asking?.op === 'revert'
            ? `Revert ${name} to "${asking.snap}"?`
            : `Delete snapshot "${asking?.snap ?? ''}"?`
        }
        body={
          asking?.op === 'revert' ? (
            <p>
              Its disks, UEFI variables and TPM state go back to how they were at the snapshot. What changed
              since is lost (take another snapshot first to keep it).
            </p>
          ) : (
            <p>
              The snapshot goes; its frozen layer is merged into what stands on it when nothing else needs it.
              The VM&rsquo;s disks stay as they are now.
            </p>
          )
        }
        confirmLabel={asking?.op === 'revert' ? 'Revert' : 'Delete snapshot'}
        danger
        busy={busy !== undefined}
        onConfirm={() => {
          const a = asking;
          if (!a) return;
          setAsking(undefined);
          void act(
            a.op,
            () =>
              a.op === 'revert' ? revertSnapshot(host, name, a.snap) : deleteSnapshot(host, name, a.snap),
            a.op === 'revert' ? `Reverted to "${a.snap}".` : `Snapshot "${a.snap}" deleted.`,
          );
        }}
        onClose={() => setAsking(undefined)}
      />
    </div>
  );
}
