import { useState, type FormEvent } from 'react';
import type { VmListEntry } from '../../api/types';
import { setVm, type SetResult } from '../../api/vms';
import { memoryText, settingsChanges } from '../../vmpage/forms';
import { ErrorBox } from '../error-box';

/** Memory, vCPUs, autostart (`phyllo vm set`): persistent, and live where libvirt allows. */
export function Settings({
  host,
  name,
  summary,
  onChanged,
}: {
  host: string;
  name: string;
  summary: VmListEntry;
  onChanged: () => void;
}) {
  const [memory, setMemory] = useState(() => memoryText(summary.memoryBytes));
  const [vcpus, setVcpus] = useState(() => (summary.vcpus === null ? '' : String(summary.vcpus)));
  const [autostart, setAutostart] = useState<'keep' | 'on' | 'off'>('keep');
  const [formError, setFormError] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<SetResult>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const c = settingsChanges({ memory, vcpus, autostart }, summary);
    if (!c.ok) return setFormError(c.error);
    setFormError(undefined);
    setError(undefined);
    setResult(undefined);
    setBusy(true);
    try {
      setResult(await setVm(host, name, c.value));
      setAutostart('keep');
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack-form settings" onSubmit={(e) => void submit(e)} noValidate>
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
      <div className="field">
        <label htmlFor="set-autostart">Start with the host</label>
        <select
          id="set-autostart"
          value={autostart}
          onChange={(e) => setAutostart(e.target.value as 'keep' | 'on' | 'off')}
        >
          <option value="keep">leave as it is</option>
          <option value="on">on: starts when the libvirt daemon starts</option>
          <option value="off">off</option>
        </select>
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
  );
}
