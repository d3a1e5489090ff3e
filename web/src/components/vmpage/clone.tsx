import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import type { VmState } from '../../api/types';
import { clone } from '../../api/vms';
import { useStore } from '../../store';
import { isShutOff } from '../../vmpage/actions';
import { checkVmName, suggestCloneName } from '../../vmpage/forms';
import type { VmInfoReport } from '../../vmpage/report';
import { ErrorBox } from '../error-box';
import { JobProgress, rememberJob } from './job-progress';

/** Clone a shut-off VM: linked (overlays on frozen images, instant) or full (copies), TPM copied or new. */
export function Clone({
  host,
  name,
  state,
  report,
}: {
  host: string;
  name: string;
  state: VmState | undefined;
  report: VmInfoReport;
}) {
  const taken = useStore((s) => s.vms[host]?.list)?.map((v) => v.name) ?? [];
  const [newName, setNewName] = useState(() => suggestCloneName(name, taken));
  const [mode, setMode] = useState<'linked' | 'full'>('linked');
  const [newTpm, setNewTpm] = useState(false);
  const [formError, setFormError] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [started, setStarted] = useState<{ id: string; name: string }>();
  const job = useStore((s) => (started ? s.jobs[started.id] : undefined));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const c = checkVmName(newName.trim());
    if (!c.ok) return setFormError(c.error);
    setFormError(undefined);
    setError(undefined);
    setBusy(true);
    try {
      const j = await clone(host, name, { name: c.value, full: mode === 'full', newTpm });
      rememberJob(j);
      setStarted({ id: j.id, name: c.value });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const off = isShutOff(state);
  return (
    <div className="clone">
      {!off ? <p className="notice">A VM is cloned while it is shut off; shut {name} down first.</p> : null}
      <form className="stack-form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="clone-name">Name of the clone</label>
          <input
            id="clone-name"
            value={newName}
            onChange={(e) => setNewName(e.target.value)}
            aria-invalid={formError ? true : undefined}
            aria-describedby={formError ? 'clone-name-error' : undefined}
            autoComplete="off"
          />
          {formError ? (
            <p id="clone-name-error" className="field-error" role="alert">
              {formError}
            </p>
          ) : null}
        </div>
        <fieldset>
          <legend>Disks</legend>
          <label className="choice">
            <input
              type="radio"
              name="clone-mode"
              checked={mode === 'linked'}
              onChange={() => setMode('linked')}
            />
            Linked: instant, small; the clone stands on {name}&rsquo;s frozen images, which stay while it
            exists
          </label>
          <label className="choice">
            <input
              type="radio"
              name="clone-mode"
              checked={mode === 'full'}
              onChange={() => setMode('full')}
            />
            Full: an independent copy of each disk (takes as long as copying them)
          </label>
        </fieldset>
        {report.tpm ? (
          <label className="choice">
            <input type="checkbox" checked={newTpm} onChange={(e) => setNewTpm(e.target.checked)} />A new TPM
            (keys sealed to the original&rsquo;s TPM, such as BitLocker&rsquo;s, will not open in the clone)
          </label>
        ) : null}
        <div>
          <button type="submit" className="primary" disabled={busy || job?.state === 'running'}>
            {busy ? 'Starting…' : 'Clone'}
          </button>
        </div>
      </form>
      <ErrorBox error={error} title="The clone was refused" />
      {started ? (
        <div className="clone-job">
          <JobProgress id={started.id} label={`Cloning to ${started.name}`} cancellable />
          {job?.state === 'done' ? (
            <p>
              <Link href={`/vms/${encodeURIComponent(host)}/${encodeURIComponent(started.name)}`}>
                Open {started.name}
              </Link>
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
