import { memo, useCallback, useState } from 'react';
import { ApiError } from '../../api/client';
import type { Job, VmListEntry } from '../../api/types';
import { cancelJob, power, shutdown } from '../../api/vms';
import { bytes, duration, isActive, stateLabel } from '../../format';
import { store, useStore } from '../../store';
import { ACTION_LABEL, actionsFor, type RowAction } from '../../vms/list';
import { ErrorBox } from '../error-box';
import { OsIcon } from '../os-icon';
import { LiveCells } from './live-cells';

/** How many columns a VM row has (for the error row under it). */
export const COLUMNS = 10;

export type Observe = (el: Element | null, key: string) => void;

function disk(vm: VmListEntry): string {
  if (vm.diskCapacityBytes === null && vm.diskAllocationBytes === null) return '—';
  return `${bytes(vm.diskAllocationBytes)} / ${bytes(vm.diskCapacityBytes)}`;
}

/** The running shutdown job of a row, as it shows: "Shutting down…" and how long it has waited. */
function ShuttingDown({ name, job }: { name: string; job: Job }) {
  const { done, total } = job.progress;
  return (
    <span className="row-job">
      <span>Shutting down…</span>
      <progress
        className="progress small"
        aria-label={`Shutting down ${name}`}
        {...(total ? { value: done, max: total } : {})}
      />
    </span>
  );
}

function ErrorRow({ name, error, onDismiss }: { name: string; error: unknown; onDismiss: () => void }) {
  return (
    <tr className="row-error" data-error-of={name}>
      <td colSpan={COLUMNS}>
        <ErrorBox error={error} title={name} />
        <button
          type="button"
          className="link"
          aria-label={`Dismiss the error of ${name}`}
          onClick={onDismiss}
        >
          Dismiss
        </button>
      </td>
    </tr>
  );
}

/** The shutdown job this row started: its error, when it failed (e.g. the guest ignored ACPI). */
function FailedJob({ name, id, onDismiss }: { name: string; id: string; onDismiss: () => void }) {
  const job = useStore((s) => s.jobs[id]);
  if (job?.state !== 'failed' || !job.error) return null;
  return <ErrorRow name={name} error={new ApiError(0, job.error)} onDismiss={onDismiss} />;
}

/** Cancels a job and waits until the store says it ended (at most `ms`: the event may not come). */
async function cancelAndWait(job: Job, ms = 15_000): Promise<void> {
  store.dispatch({ type: 'job', job: await cancelJob(job.id) });
  const ended = () => store.get().jobs[job.id]?.state !== 'running';
  if (ended()) return;
  await new Promise<void>((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(finish, ms);
    const unsubscribe = store.subscribe(() => {
      if (ended()) finish();
    });
  });
}

/**
 * One VM of the list: a table row (a card at phone width) with the contract's data attributes, its
 * actions, and the error of the last action in a row under it. Memoized: a row renders again only
 * when its VM, its shutdown job or its host changes.
 */
export const VmRow = memo(function VmRow({
  host,
  vm,
  shutdownJob,
  observe,
}: {
  host: string;
  vm: VmListEntry;
  shutdownJob: Job | undefined;
  observe: Observe;
}) {
  const [busy, setBusy] = useState<RowAction | undefined>();
  const [error, setError] = useState<unknown>();
  const [jobId, setJobId] = useState<string | undefined>();
  const running = vm.state === 'running' || vm.state === 'blocked';
  const key = `${host}\n${vm.name}`;
  const ref = useCallback(
    (el: HTMLTableRowElement | null) => {
      if (running) observe(el, key);
    },
    [running, observe, key],
  );

  const act = async (op: RowAction) => {
    if (
      op === 'kill' &&
      !window.confirm(
        `Force off ${vm.name}? It stops at once, as when pulling the plug: unsaved data in it is lost.`,
      )
    )
      return;
    setBusy(op);
    setError(undefined);
    try {
      if (op === 'cancel') {
        if (shutdownJob) await cancelAndWait(shutdownJob);
      } else if (op === 'kill' && shutdownJob) {
        // The shutdown job holds the VM: cancel it, then pull the plug.
        await cancelAndWait(shutdownJob);
        await power(host, vm.name, 'kill');
      } else if (op === 'shutdown') {
        const job = await shutdown(host, vm.name);
        store.dispatch({ type: 'job', job });
        setJobId(job.id);
      } else await power(host, vm.name, op);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  };

  const href = `/vms/${host}/${encodeURIComponent(vm.name)}`;
  const d = disk(vm);
  const up = isActive(vm.state) ? duration(vm.uptimeSeconds) : '—';
  return (
    <>
      <tr ref={ref} className="vm-row" data-vm={vm.name} data-host={host} data-state={vm.state}>
        <td className="c-icon">
          <span className="os-cell">
            <OsIcon os={vm.os} />
            {vm.os ? <span className="os-id">{vm.os}</span> : null}
          </span>
        </td>
        <td className="c-name">
          {/* A plain link: the table handles its clicks (one router hook per table, not per row). */}
          <a href={href} data-nav="">
            {vm.name}
          </a>
        </td>
        <td className="c-state">
          <span className={`state state-${vm.state}`}>{stateLabel(vm.state)}</span>
        </td>
        <td className="c-vcpus num" data-label="vCPUs">
          {vm.vcpus ?? '—'}
        </td>
        <td className="c-mem num" data-label="RAM">
          {bytes(vm.memoryBytes)}
        </td>
        <td className={`c-disk num${d === '—' ? ' empty' : ''}`} data-label="Disk">
          {d}
        </td>
        <td className={`c-uptime num${up === '—' ? ' empty' : ''}`} data-label="Up">
          {up}
        </td>
        {running ? (
          <LiveCells
            host={host}
            name={vm.name}
            cpuPercent={vm.cpuPercent}
            memoryInUseBytes={vm.memoryInUseBytes}
            memoryBytes={vm.memoryBytes}
          />
        ) : (
          <>
            <td className="c-cpu num empty">—</td>
            <td className="c-memuse num empty">—</td>
          </>
        )}
        <td className="c-actions">
          <div className="row-actions">
            {shutdownJob ? <ShuttingDown name={vm.name} job={shutdownJob} /> : null}
            {actionsFor(vm.state, shutdownJob !== undefined).map((op) => (
              <button
                key={op}
                type="button"
                className={op === 'kill' ? 'danger' : op === 'start' ? 'primary' : undefined}
                aria-label={`${ACTION_LABEL[op].label} ${vm.name}`}
                disabled={busy !== undefined}
                onClick={() => void act(op)}
              >
                {busy === op ? ACTION_LABEL[op].busy : ACTION_LABEL[op].label}
              </button>
            ))}
          </div>
        </td>
      </tr>
      {error ? (
        <ErrorRow name={vm.name} error={error} onDismiss={() => setError(undefined)} />
      ) : jobId ? (
        <FailedJob name={vm.name} id={jobId} onDismiss={() => setJobId(undefined)} />
      ) : null}
    </>
  );
});
