import { useState } from 'react';
import { ApiError } from '../../api/client';
import type { VmState } from '../../api/types';
import { power, shutdown } from '../../api/vms';
import { actionsFor, type ActionSpec } from '../../vmpage/actions';
import { startDiagnosis, type Diagnosis } from '../../vmpage/report';
import { ErrorBox } from '../error-box';
import { ConfirmDialog } from './dialog';
import { JobProgress, rememberJob } from './job-progress';

/**
 * The power actions that fit the VM's state. A start libvirt refuses brings its diagnosis
 * (`vm-start-failed` carries it) to the page; shutdown is a job followed live; kill asks first.
 */
export function PowerBar({
  host,
  name,
  state,
  onDone,
  onStartFailed,
}: {
  host: string;
  name: string;
  state: VmState | undefined;
  onDone: () => void;
  onStartFailed: (d: Diagnosis | undefined) => void;
}) {
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [asking, setAsking] = useState<ActionSpec>();
  const [shutdownJob, setShutdownJob] = useState<string>();

  const run = async (a: ActionSpec) => {
    setAsking(undefined);
    setBusy(a.op);
    setError(undefined);
    try {
      if (a.op === 'shutdown') {
        const job = await shutdown(host, name);
        rememberJob(job);
        setShutdownJob(job.id);
      } else {
        await power(host, name, a.op);
        if (a.op === 'start') onStartFailed(undefined);
      }
      onDone();
    } catch (err) {
      setError(err);
      if (a.op === 'start' && err instanceof ApiError && err.code === 'vm-start-failed')
        onStartFailed(startDiagnosis(err.body));
    } finally {
      setBusy(undefined);
    }
  };

  const actions = actionsFor(state);
  return (
    <div className="power">
      <div className="power-buttons" role="group" aria-label="Power">
        {actions.map((a) => (
          <button
            key={a.op}
            type="button"
            title={a.help}
            className={a.primary ? 'primary' : a.danger ? 'danger' : undefined}
            disabled={busy !== undefined}
            onClick={() => (a.confirm ? setAsking(a) : void run(a))}
          >
            {busy === a.op ? `${a.label}…` : a.label}
          </button>
        ))}
      </div>
      <ConfirmDialog
        open={asking !== undefined}
        title={`${asking?.label ?? ''} ${name}?`}
        body={<p>{asking?.confirm}</p>}
        confirmLabel={asking?.label ?? ''}
        danger
        onConfirm={() => asking && void run(asking)}
        onClose={() => setAsking(undefined)}
      />
      <ErrorBox error={error} title="That did not work" />
      {shutdownJob ? <JobProgress id={shutdownJob} label="Shutdown" /> : null}
    </div>
  );
}
