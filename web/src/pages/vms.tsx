import { useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { ApiError } from '../api/client';
import type { HostSummary, VmListEntry } from '../api/types';
import { ErrorBox } from '../components/error-box';
import { ImportDialog } from '../components/vms/import-dialog';
import { PendingRow } from '../components/vms/pending-row';
import { useVisible } from '../components/vms/use-visible';
import { VmRow, type Observe } from '../components/vms/vm-row';
import { live, useStore } from '../store';
import type { HostVms } from '../store/state';
import {
  pendingRows,
  queryOfView,
  shutdownJobs,
  SORT_KEYS,
  summary,
  toggleSort,
  viewFromQuery,
  visibleVms,
  type ListView,
  type PendingRow as Pending,
  type SortKey,
} from '../vms/list';
import { subscriptionPlan } from '../vms/subscriptions';
import type { Job } from '../api/types';

/** The columns a heading can sort by (the others are not sortable). */
const HEADINGS: { label: string; className: string; sort?: SortKey; sr?: boolean }[] = [
  { label: 'OS', className: 'c-icon', sort: 'os' },
  { label: 'Name', className: 'c-name', sort: 'name' },
  { label: 'State', className: 'c-state', sort: 'state' },
  { label: 'vCPUs', className: 'c-vcpus num', sort: 'vcpus' },
  { label: 'Memory', className: 'c-mem num', sort: 'memory' },
  { label: 'Disk use', className: 'c-disk num', sort: 'disk' },
  { label: 'Uptime', className: 'c-uptime num', sort: 'uptime' },
  { label: 'CPU', className: 'c-cpu num', sort: 'cpu' },
  { label: 'Memory in use', className: 'c-memuse num', sort: 'memuse' },
  { label: 'Actions', className: 'c-actions', sr: true },
];

function Heading({
  h,
  view,
  onSort,
}: {
  h: (typeof HEADINGS)[number];
  view: ListView;
  onSort: (k: SortKey) => void;
}) {
  if (!h.sort)
    return (
      <th scope="col" className={h.className}>
        <span className="sr-only">{h.label}</span>
      </th>
    );
  const active = view.sort === h.sort;
  return (
    <th
      scope="col"
      className={h.className}
      aria-sort={active ? (view.dir === 'asc' ? 'ascending' : 'descending') : undefined}
    >
      <button type="button" className="th-sort" onClick={() => onSort(h.sort!)}>
        {h.label}
        <span aria-hidden="true" className="sort-mark">
          {active ? (view.dir === 'asc' ? '▲' : '▼') : ''}
        </span>
      </button>
    </th>
  );
}

function HostTable({
  host,
  rows,
  pending,
  shutdowns,
  view,
  onSort,
  observe,
}: {
  host: string;
  rows: VmListEntry[];
  pending: Pending[];
  shutdowns: Map<string, Job>;
  view: ListView;
  onSort: (k: SortKey) => void;
  observe: Observe;
}) {
  const [, navigate] = useLocation();
  // The rows' name links are plain <a>: one click handler here routes them without a reload.
  const onClick = (e: React.MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element).closest('a[data-nav]');
    const href = a?.getAttribute('href');
    if (!href) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <table className="vms-table" onClick={onClick}>
      <caption className="sr-only">VMs on {host}</caption>
      <thead>
        <tr>
          {HEADINGS.map((h) => (
            <Heading key={h.label} h={h} view={view} onSort={onSort} />
          ))}
        </tr>
      </thead>
      <tbody>
        {pending.map((p) => (
          <PendingRow key={p.job.id} row={p} />
        ))}
        {rows.map((vm) => (
          <VmRow
            key={vm.name}
            host={host}
            vm={vm}
            shutdownJob={shutdowns.get(`${host}\n${vm.name}`)}
            observe={observe}
          />
        ))}
      </tbody>
    </table>
  );
}

function HostSection({
  host,
  vms,
  multi,
  children,
}: {
  host: HostSummary;
  vms: HostVms | undefined;
  multi: boolean;
  children: React.ReactNode;
}) {
  return (
    <section
      className="vms-host"
      aria-labelledby={multi ? `host-${host.id}` : undefined}
      data-host-group={host.id}
    >
      {multi ? (
        <h2 id={`host-${host.id}`} className="vms-host-head">
          {host.id}
          <span className="muted"> {host.uri}</span>
          {host.connected ? null : <span className="host-down"> not connected</span>}
        </h2>
      ) : null}
      {!host.connected && vms?.error?.code !== 'host-unavailable' ? (
        <p className="notice" role="status">
          {host.id} is not connected: Phyllome is dialling it again.
          {vms?.list ? ' The list below is from before it went away.' : ''}
        </p>
      ) : null}
      {vms?.error ? <ErrorBox error={new ApiError(0, vms.error)} title={`The VMs of ${host.id}`} /> : null}
      {vms?.list === undefined && !vms?.error ? (
        <p className="loading">Loading the VMs of {host.id}…</p>
      ) : null}
      {children}
    </section>
  );
}

function useView(): [ListView, (v: ListView) => void] {
  const [view, setView] = useState<ListView>(() => viewFromQuery(location.search));
  const set = (v: ListView) => {
    setView(v);
    history.replaceState(history.state, '', `${location.pathname}${queryOfView(v)}${location.hash}`);
  };
  return [view, set];
}

/** Keeps stats subscriptions for the running VMs on screen (capped), and drops them when they stop or leave. */
function useStatsSubscriptions(wanted: string[]) {
  const held = useRef(new Map<string, () => void>());
  const wantedKey = wanted.join('\0');
  useEffect(() => {
    const plan = subscriptionPlan(new Set(held.current.keys()), wanted);
    for (const k of plan.close) {
      held.current.get(k)?.();
      held.current.delete(k);
    }
    for (const k of plan.open) {
      const [host, name] = k.split('\n') as [string, string];
      held.current.set(k, live.subscribe(host, name));
    }
  }, [wantedKey]);
  useEffect(() => {
    const h = held.current;
    return () => {
      for (const un of h.values()) un();
      h.clear();
    };
  }, []);
}

export function VmsPage() {
  const hosts = useStore((s) => s.hosts);
  const vms = useStore((s) => s.vms);
  const jobs = useStore((s) => s.jobs);
  const [view, setView] = useView();
  const shown = useDeferredValue(view);
  const { observe, visible } = useVisible();

  const pending = useMemo(() => pendingRows(jobs, vms), [jobs, vms]);
  const shutdowns = useMemo(() => shutdownJobs(jobs), [jobs]);
  const perHost = useMemo(
    () => hosts.map((h) => ({ host: h, rows: visibleVms(vms[h.id]?.list ?? [], shown) })),
    [hosts, vms, shown],
  );
  const wanted = perHost.flatMap(({ host, rows }) =>
    rows
      .filter((v) => (v.state === 'running' || v.state === 'blocked') && visible.has(`${host.id}\n${v.name}`))
      .map((v) => `${host.id}\n${v.name}`),
  );
  useStatsSubscriptions(wanted);

  const lists = hosts.map((h) => vms[h.id]?.list).filter((l): l is VmListEntry[] => l !== undefined);
  const total = lists.reduce((n, l) => n + l.length, 0);
  const allLoaded = hosts.length > 0 && lists.length === hosts.length;
  const shownCount = perHost.reduce((n, h) => n + h.rows.length, 0);
  const pendingCount = [...pending.values()].reduce((n, p) => n + p.length, 0);
  const multi = hosts.length > 1;
  const onSort = (k: SortKey) => setView(toggleSort(view, k));
  const [importing, setImporting] = useState(false);

  return (
    <section className="vms-page">
      <div className="vms-head">
        <h1>VMs</h1>
        {lists.length ? <span className="muted vms-summary">{summary(lists)}</span> : null}
        <div className="vms-head-actions">
          <button type="button" onClick={() => setImporting(true)} disabled={hosts.length === 0}>
            Import
          </button>
          <Link href="/new" className="button primary vms-new">
            New VM
          </Link>
        </div>
      </div>
      {hosts.length ? (
        <ImportDialog open={importing} onClose={() => setImporting(false)} hosts={hosts} />
      ) : null}
      <form
        className="vms-tools"
        role="search"
        aria-label="Filter and sort the VMs"
        onSubmit={(e) => e.preventDefault()}
      >
        <label>
          Filter
          <input
            type="search"
            value={view.q}
            placeholder="name, OS or state"
            onChange={(e) => setView({ ...view, q: e.target.value })}
          />
        </label>
        <label>
          Sort by
          <select value={view.sort} onChange={(e) => setView({ ...view, sort: e.target.value as SortKey })}>
            {SORT_KEYS.map((k) => (
              <option key={k.key} value={k.key}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          onClick={() => setView({ ...view, dir: view.dir === 'asc' ? 'desc' : 'asc' })}
          aria-label={view.dir === 'asc' ? 'Ascending: sort descending' : 'Descending: sort ascending'}
        >
          {view.dir === 'asc' ? '▲ Ascending' : '▼ Descending'}
        </button>
        {view.q && total > 0 ? (
          <span className="muted" role="status">
            {shownCount} of {total} shown
          </span>
        ) : null}
      </form>
      {hosts.length === 0 ? <p className="loading">Loading…</p> : null}
      {allLoaded && total === 0 && pendingCount === 0 ? (
        <p className="vms-empty">
          No VMs yet. <Link href="/new">Create your first VM</Link>.
        </p>
      ) : null}
      {perHost.map(({ host, rows }) => {
        const hostPending = shown.q ? [] : (pending.get(host.id) ?? []);
        const list = vms[host.id]?.list;
        return (
          <HostSection key={host.id} host={host} vms={vms[host.id]} multi={multi}>
            {rows.length || hostPending.length ? (
              <HostTable
                host={host.id}
                rows={rows}
                pending={hostPending}
                shutdowns={shutdowns}
                view={view}
                onSort={onSort}
                observe={observe}
              />
            ) : list?.length && shown.q ? (
              <p className="muted">
                No VM{multi ? ` on ${host.id}` : ''} matches “{shown.q}”.
              </p>
            ) : multi && list?.length === 0 ? (
              <p className="muted">No VMs on {host.id}.</p>
            ) : null}
          </HostSection>
        );
      })}
    </section>
  );
}
