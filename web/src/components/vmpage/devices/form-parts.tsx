/** The parts every Devices form and table repeats: a row's Remove button, a form's submit row. */

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
