import { useEffect, useState, type FormEvent } from 'react';
import type { VmListEntry } from '../../api/types';
import { setAutostart, setVm, type SetResult } from '../../api/vms';
import { memoryText, settingsChanges } from '../../vmpage/forms';
import { ErrorBox } from '../error-box';

/**
 * Whether the VM starts with the host, as libvirt has it (the report's `autostart`): a checkbox that
 * changes it at once (`POST …/autostart`), then the report is read again.
 */
function Autostart({
  host,
  name,
  on,
  onChanged,
}: {
  host: string;
  name: string;
  /** undefined until the report is read */
  on: boolean | undefined;
  onChanged: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  // The value asked for, then the server's answer, shown until the report read again brings the flag.
  const [asked, setAsked] = useState<boolean>();
  useEffect(() => setAsked(undefined), [on]);
  const shown = asked ?? on;
  const toggle = async (next: boolean) => {
    setError(undefined);
    setBusy(true);
    setAsked(next);
    try {
      setAsked((await setAutostart(host, name, next)).autostart);
      onChanged();
    } catch (err) {
      setAsked(undefined);
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="field autostart">
      <label className="choice">
        <input
          type="checkbox"
          checked={shown ?? false}
          disabled={busy || shown === undefined}
          aria-describedby="set-autostart-help"
          onChange={(e) => void toggle(e.target.checked)}
        />
        Start with the host
      </label>
      <p id="set-autostart-help" className="help">
        {shown === undefined
          ? 'Reading…'
          : busy
            ? 'Saving…'
            : shown
              ? 'On: libvirt starts it when its daemon starts.'
              : 'Off: it stays off until started.'}{' '}
        A change applies at once.
      </p>
      <ErrorBox error={error} title="Autostart was not changed" />
    </div>
  );
}

/** Memory, vCPUs (`phyllo vm set`): persistent, and live where libvirt allows; and autostart. */
export function Settings({
  host,
  name,
  summary,
  autostart,
  onChanged,
}: {
  host: string;
  name: string;
  summary: VmListEntry;
  /** The VM's autostart flag from its report; undefined until read. */
  autostart: boolean | undefined;
  onChanged: () => void;
}) {
  const [memory, setMemory] = useState(() => memoryText(summary.memoryBytes));
  const [vcpus, setVcpus] = useState(() => (summary.vcpus === null ? '' : String(summary.vcpus)));
  const [formError, setFormError] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<SetResult>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const c = settingsChanges({ memory, vcpus }, summary);
    if (!c.ok) return setFormError(c.error);
    setFormError(undefined);
    setError(undefined);
    setResult(undefined);
    setBusy(true);
    try {
      setResult(await setVm(host, name, c.value));
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="settings">
      <Autostart host={host} name={name} on={autostart} onChanged={onChanged} />
      <form className="stack-form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="set-memory">Memory</label>
          <input
            id="set-memory"
            value={memory}
            onChange={(e) => setMemory(e.target.value)}
            aria-describedby="set-memory-help"
            inputMode="text"
            autoComplete="off"
          />
          <p id="set-memory-help" className="help">
            A size such as 4G or 1536M (a bare number is MiB). Now{' '}
            {memoryText(summary.memoryBytes) || 'unknown'}.
          </p>
        </div>
        <div className="field">
          <label htmlFor="set-vcpus">vCPUs</label>
          <input
            id="set-vcpus"
            value={vcpus}
            onChange={(e) => setVcpus(e.target.value)}
            inputMode="numeric"
            aria-describedby="set-vcpus-help"
            autoComplete="off"
          />
          <p id="set-vcpus-help" className="help">
            Now {summary.vcpus ?? 'unknown'}. A running VM takes more only up to the maximum it was started
            with; the rest applies at its next start.
          </p>
        </div>
        {formError ? (
          <p className="field-error" role="alert">
            {formError}
          </p>
        ) : null}
        <div>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
        <ErrorBox error={error} title="The change was refused" />
        {result ? (
          <div role="status" className="ok-note">
            <ul>
              {result.changes.map((c) => (
                <li key={c.setting}>
                  {c.setting} → {c.value}: {c.applies === 'now' ? 'applied now' : 'applies at its next start'}
                  {c.detail ? ` (${c.detail})` : ''}
                </li>
              ))}
            </ul>
            {result.warnings.map((w) => (
              <p key={w} className="muted">
                {w}
              </p>
            ))}
          </div>
        ) : null}
      </form>
    </div>
  );
}
