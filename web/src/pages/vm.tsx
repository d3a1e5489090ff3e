import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, vmPath, withQuery } from '../api/client';
import { diagnose, vmInfo } from '../api/vms';
import { ErrorBox } from '../components/error-box';
import { OsIcon } from '../components/os-icon';
import { Clone } from '../components/vmpage/clone';
import { Delete, DeletedView, type Deleted } from '../components/vmpage/delete';
import { Devices } from '../components/vmpage/devices';
import { DiagnosisView } from '../components/vmpage/diagnosis';
import { Disks } from '../components/vmpage/disks';
import { Media } from '../components/vmpage/media';
import { Overview } from '../components/vmpage/overview';
import { PowerBar } from '../components/vmpage/power-bar';
import { Settings } from '../components/vmpage/settings';
import { Snapshots } from '../components/vmpage/snapshots';
import { Tabs } from '../components/vmpage/tabs';
import { Transfer, type MoveStarted } from '../components/vmpage/transfer';
import { JobProgress } from '../components/vmpage/job-progress';
import { isActive, stateLabel } from '../format';
import { useStore } from '../store';
import { isGone, tabFromHash, type TabId } from '../vmpage/actions';
import { consoleKind, type Diagnosis, type VmInfoReport } from '../vmpage/report';

// noVNC, xterm.js and uPlot load only when their tab is shown.
const VncConsole = lazy(() =>
  import('../components/vm/vnc-console').then((m) => ({ default: m.VncConsole })),
);
const SerialConsole = lazy(() =>
  import('../components/vm/serial-console').then((m) => ({ default: m.SerialConsole })),
);
const VmCharts = lazy(() => import('../components/vm/vm-charts').then((m) => ({ default: m.VmCharts })));

function Gone({ name, host }: { name: string; host: string }) {
  return (
    <section className="vm-gone">
      <h1>{name} is not there</h1>
      <p className="notice" role="status">
        There is no VM named &ldquo;{name}&rdquo; on host {host} (any more): it was deleted or renamed, maybe
        from another window or the command line.
      </p>
      <p>
        <Link href="/">Back to the VMs</Link>
      </p>
    </section>
  );
}

/** Where a VM moved from this page went: the page's VM is gone from this host once the move is done. */
function MovedView({ name, host, move }: { name: string; host: string; move: MoveStarted }) {
  const job = useStore((s) => s.jobs[move.job]);
  const done = job?.state === 'done';
  return (
    <section className="vm-gone">
      <h1>{done ? `${name} moved to ${move.to}` : `Moving ${name} to ${move.to}`}</h1>
      <JobProgress id={move.job} label={`Moving ${name} from ${host} to ${move.to}`} />
      {done ? (
        <p>
          <Link href={`/vms/${encodeURIComponent(move.to)}/${encodeURIComponent(name)}`}>
            Open {name} on {move.to}
          </Link>
        </p>
      ) : null}
      <p>
        <Link href="/">Back to the VMs</Link>
      </p>
    </section>
  );
}

function NeedsRunning({ name, what }: { name: string; what: string }) {
  return (
    <p className="notice">
      {what} works while {name} runs: start it with the button above.
    </p>
  );
}

/** One VM: header with its live state and power actions, and tabs for everything else (keyed by host and name in app.tsx). */
export function VmPage({ host, name }: { host: string; name: string }) {
  const hostVms = useStore((s) => s.vms[host]);
  const live = hostVms?.list?.find((v) => v.name === name);
  const [report, setReport] = useState<VmInfoReport>();
  const [loadError, setLoadError] = useState<unknown>();
  const [notFound, setNotFound] = useState(false);
  const [tab, setTab] = useState<TabId>(() => tabFromHash(location.hash));
  const [diagnosis, setDiagnosis] = useState<Diagnosis>();
  const [diagnoseError, setDiagnoseError] = useState<unknown>();
  const [diagnosing, setDiagnosing] = useState(false);
  const [deleted, setDeleted] = useState<Deleted>();
  const [moved, setMoved] = useState<MoveStarted>();
  const moveJob = useStore((s) => (moved ? s.jobs[moved.job] : undefined));
  const seen = useRef(false);
  if (live) seen.current = true;

  const load = useCallback(async () => {
    try {
      const r = await vmInfo<VmInfoReport>(host, name);
      setReport(r);
      setLoadError(undefined);
      setNotFound(false);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'vm-not-found') setNotFound(true);
      else setLoadError(err);
    }
  }, [host, name]);

  // The report is read again whenever the live state moves (events), so disks, displays follow.
  const state = live?.state ?? report?.state;
  useEffect(() => {
    void load();
  }, [load, live?.state, live?.memoryBytes, live?.vcpus]);

  useEffect(() => {
    document.title = `${name} · Phyllome`;
  }, [name]);

  const choose = (t: TabId) => {
    setTab(t);
    history.replaceState(null, '', t === 'overview' ? location.pathname : `#${t}`);
  };

  const runDiagnose = async () => {
    setDiagnosing(true);
    setDiagnoseError(undefined);
    try {
      setDiagnosis(await diagnose<Diagnosis>(host, name));
    } catch (err) {
      setDiagnoseError(err);
    } finally {
      setDiagnosing(false);
    }
  };

  if (deleted) return <DeletedView deleted={deleted} />;
  const gone = isGone({
    notFound,
    listLoaded: hostVms?.list !== undefined,
    inList: !!live,
    seen: seen.current,
  });
  // A move from this page: once done (or once the VM is gone from here), where it went.
  if (moved && !moved.keepSource && (gone || moveJob?.state === 'done'))
    return <MovedView name={name} host={host} move={moved} />;
  if (gone) return <Gone name={name} host={host} />;

  const running = state !== undefined && isActive(state);
  const display = report ? consoleKind(report.displays) : undefined;
  const summary = live ?? report?.summary;

  const panel = () => {
    if (!report) return loadError ? null : <p className="loading">Loading…</p>;
    switch (tab) {
      case 'overview':
        return (
          <Overview
            report={report}
            live={live}
            onDiagnose={() => void runDiagnose()}
            diagnosing={diagnosing}
          />
        );
      case 'console':
        if (display?.kind === 'spice')
          return (
            <div className="notice">
              <p>
                {name} has a SPICE display, which a browser cannot show: open it in remote-viewer
                (virt-viewer) with its connection file.
              </p>
              {running ? (
                <p>
                  <a href={withQuery(vmPath(name, '/console.vv'), { host })} download={`${name}.vv`}>
                    Download {name}.vv
                  </a>{' '}
                  <span className="muted">then: remote-viewer {name}.vv</span>
                </p>
              ) : (
                <p>The file exists while it runs.</p>
              )}
            </div>
          );
        if (display?.kind === 'none')
          return <p className="notice">{name} has no display; try the Serial tab.</p>;
        if (!running) return <NeedsRunning name={name} what="The console" />;
        return <VncConsole host={host} name={name} />;
      case 'serial':
        if (!running) return <NeedsRunning name={name} what="The serial console" />;
        return <SerialConsole host={host} name={name} />;
      case 'charts':
        return <VmCharts host={host} name={name} />;
      case 'disks':
        return <Disks report={report} />;
      case 'snapshots':
        return <Snapshots host={host} name={name} state={state} onChanged={() => void load()} />;
      case 'clone':
        return <Clone host={host} name={name} state={state} report={report} />;
      case 'export':
        return <Transfer host={host} name={name} state={state} onMoveStarted={setMoved} />;
      case 'media':
        return <Media host={host} name={name} state={state} report={report} onChanged={() => void load()} />;
      case 'devices':
        return <Devices host={host} name={name} state={state} onChanged={() => void load()} />;
      case 'settings':
        return summary ? (
          <Settings
            host={host}
            name={name}
            summary={summary}
            autostart={report?.autostart}
            onChanged={() => void load()}
          />
        ) : null;
      case 'delete':
        return <Delete host={host} name={name} report={report} onDeleted={setDeleted} />;
    }
  };

  return (
    <section className="vm-page" data-vm={name} data-host={host} data-state={state ?? 'unknown'}>
      <p className="crumbs">
        <Link href="/">VMs</Link> <span aria-hidden="true">/</span> {host}
      </p>
      <header className="vm-head">
        <div className="vm-title">
          <OsIcon os={summary?.os ?? report?.phyllome?.os} />
          <h1>{name}</h1>
          {state ? (
            <span className={`state state-${state}`} role="status" aria-label={`State: ${stateLabel(state)}`}>
              {stateLabel(state)}
            </span>
          ) : null}
        </div>
        <PowerBar
          host={host}
          name={name}
          state={state}
          onDone={() => void load()}
          onStartFailed={(d) => {
            setDiagnosis(d);
            if (d) choose('overview');
          }}
        />
      </header>
      <ErrorBox error={loadError} title={`${name} could not be read`} />
      <ErrorBox error={diagnoseError} title="Diagnose failed" />
      {diagnosis ? <DiagnosisView diagnosis={diagnosis} onClose={() => setDiagnosis(undefined)} /> : null}
      <Tabs current={tab} onChange={choose}>
        <Suspense fallback={<p className="loading">Loading…</p>}>{panel()}</Suspense>
      </Tabs>
    </section>
  );
}
