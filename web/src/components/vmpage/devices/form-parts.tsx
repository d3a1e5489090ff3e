/** The parts every Devices section repeats: its list's table, a row's Remove button, a form's submit row. */
import type { ReactNode } from 'react';
import { ErrorBox } from '../../error-box';

/** A table row's Remove button: says "Removing…" while its own change (`remove-ID`) runs. */
export function RemoveButton({
  busy,
  id,
  what,
  onRemove,
}: {
  busy: string | undefined;
  id: string | number;
  /** Read by screen readers after "Remove": "card 52:54:00:…", "share projects". */
  what: string;
  onRemove: () => void;
}) {
  return (
    <button type="button" className="danger" disabled={busy !== undefined} onClick={onRemove}>
      {busy === `remove-${id}` ? 'Removing…' : 'Remove'}
      <span className="sr-only"> {what}</span>
    </button>
  );
}

/** A form's submit button (its `working` text while change `mine` runs) and the form's own error. */
export function SubmitRow({
  busy,
  mine = 'add',
  label,
  working,
  disabled = false,
  error,
}: {
  busy: string | undefined;
  mine?: string;
  label: string;
  working: string;
  disabled?: boolean;
  error?: string | undefined;
}) {
  return (
    <>
      <div className="device-form-submit">
        <button type="submit" className="primary" disabled={busy !== undefined || disabled}>
          {busy === mine ? working : label}
        </button>
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}

/**
 * A section's list of what the VM has: the read's error, "Loading…", the empty text, or the table
 * (its columns, "Takes effect" while the VM runs, and the row actions' column).
 */
export function DeviceTable<T>({
  list,
  loadError,
  what,
  empty,
  columns,
  showLive = false,
  row,
}: {
  list: T[] | undefined;
  loadError: unknown;
  /** "The network cards": the read's error says it "could not be read". */
  what: string;
  empty: ReactNode;
  columns: string[];
  showLive?: boolean;
  row: (item: T) => ReactNode;
}) {
  return (
    <>
      <ErrorBox error={loadError} title={`${what} could not be read`} />
      {list === undefined && !loadError ? <p className="loading">Loading…</p> : null}
      {list?.length === 0 ? <p className="muted">{empty}</p> : null}
      {list?.length ? (
        <table className="device-table">
          <thead>
            <tr>
              {columns.map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
              {showLive ? <th scope="col">Takes effect</th> : null}
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>{list.map(row)}</tbody>
        </table>
      ) : null}
    </>
  );
}
