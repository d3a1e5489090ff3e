import { useState } from 'react';
import type { Job, VmState } from '../../api/types';
import { moveVm } from '../../api/vms';
import { useStore } from '../../store';
import {
  bundleFileName,
  exportHref,
  latestJob,
  moveTargets,
  transferBlocked,
  type Compress,
} from '../../vmpage/transfer';
import { ErrorBox } from '../error-box';
import { Dialog } from './dialog';
import { JobProgress, rememberJob } from './job-progress';

/** A move started from this page: the VM page shows where the VM went once it is gone here. */
export interface MoveStarted {
  job: string;
  to: string;
  keepSource: boolean;
}

/**
 * The Export tab: the whole VM as one bundle file, downloaded by a plain link (the browser saves it as
 * it comes, however large; the session cookie goes with it), its job's progress below; and, when the
 * server is connected to more than one host, a move to another one.
 */
export function Transfer({
  host,
  name,
  state,
  onMoveStarted,
}: {
  host: string;
  name: string;
  state: VmState | undefined;
  onMoveStarted: (m: MoveStarted) => void;
}) {
  const [compress, setCompress] = useState<Compress>('zstd');
  const [clicked, setClicked] = useState(false);
  const exportJob = useStore((s) => latestJob(s.jobs, 'export', host, name));
  const shown = exportJob && (clicked || exportJob.state === 'running') ? exportJob : undefined;
  const hosts = useStore((s) => s.hosts);
  const targets = moveTargets(hosts, host);
  const exportWhy = transferBlocked(name, state, 'Exporting');

  return (
    <div className="transfer">
      <section aria-labelledby="export-head">
        <h2 id="export-head">Export</h2>
        <p className="muted">
          {name} in one bundle file: its disk and, where it has them, its UEFI variables, TPM state, kernel
          and initrd. Import it here or on another host with Import on the VM list, or{' '}
          <code>phyllo vm import</code>.
        </p>
        <fieldset>
          <legend>Compression</legend>
          <label className="choice">
            <input
              type="radio"
              name="export-compress"
              checked={compress === 'zstd'}
              onChange={() => setCompress('zstd')}
            />
            zstd: smaller, as fast as the disk reads ({bundleFileName(name, 'zstd')})
          </label>
          <label className="choice">
            <input
              type="radio"
              name="export-compress"
              checked={compress === 'none'}
              onChange={() => setCompress('none')}
            />
            None: a plain tar any tar(1) lists ({bundleFileName(name, 'none')})
          </label>
        </fieldset>
        {exportWhy ? (
          <p className="notice" id="export-why">
            {exportWhy}
          </p>
        ) : null}
        <div className="transfer-actions">
          {exportWhy ? (
            <button type="button" disabled aria-describedby="export-why">
              Export
            </button>
          ) : (
            <a
              className="button primary"
              href={exportHref(host, name, compress)}
              download={bundleFileName(name, compress)}
              onClick={() => setClicked(true)}
            >
              Export
            </a>
          )}
        </div>
        {shown ? <JobProgress id={shown.id} label={`Exporting ${name}`} cancellable /> : null}
      </section>
      {targets.length ? (
        <Move host={host} name={name} state={state} targets={targets} onStarted={onMoveStarted} />
      ) : null}
    </div>
  );
}

function Move({
  host,
  name,
  state,
  targets,
  onStarted,
}: {
  host: string;
  name: string;
  state: VmState | undefined;
  targets: { id: string; uri: string }[];
  onStarted: (m: MoveStarted) => void;
}) {
  const [open, setOpen] = useState(false);
  const [to, setTo] = useState(targets[0]!.id);
  const [keepSource, setKeepSource] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [started, setStarted] = useState<{ job: Job; to: string }>();
  const why = transferBlocked(name, state, 'Moving');
  const target = targets.some((t) => t.id === to) ? to : targets[0]!.id;

  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const j = await moveVm(host, name, { to: target, ...(keepSource ? { keepSource } : {}) });
      rememberJob(j);
      setStarted({ job: j, to: target });
      setOpen(false);
      onStarted({ job: j.id, to: target, keepSource });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="move-head">
      <h2 id="move-head">Move to another host</h2>
      <p className="muted">
        The bundle goes straight from this host to the other one; {name} is removed here only once it is whole
        there.
      </p>
      {why ? (
        <p className="notice" id="move-why">
          {why}
        </p>
      ) : null}
      <div className="transfer-actions">
        <button
          type="button"
          disabled={why !== undefined}
          aria-describedby={why ? 'move-why' : undefined}
          onClick={() => setOpen(true)}
        >
          Move to host…
        </button>
      </div>
      {started ? (
        <JobProgress id={started.job.id} label={`Moving ${name} to ${started.to}`} cancellable />
      ) : null}
      <Dialog open={open} title={`Move ${name} to another host`} onClose={() => setOpen(false)}>
        <div className="stack-form">
          <div className="field">
            <label htmlFor="move-to">Destination host</label>
            <select
              id="move-to"
              value={target}
              aria-describedby="move-to-uri"
              onChange={(e) => setTo(e.target.value)}
            >
              {targets.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.id}
                </option>
              ))}
            </select>
            <p id="move-to-uri" className="help">
              <code>{targets.find((t) => t.id === target)?.uri}</code>
            </p>
          </div>
          <label className="choice">
            <input type="checkbox" checked={keepSource} onChange={(e) => setKeepSource(e.target.checked)} />
            Keep it on {host} too: a copy with the same UUID there (start only one of them)
          </label>
        </div>
        <ErrorBox error={error} title="The move was refused" />
        <div className="dialog-actions">
          <button type="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={busy} onClick={() => void start()}>
            {busy ? 'Moving…' : `Move to ${target}`}
          </button>
        </div>
      </Dialog>
    </section>
  );
}
