import { useCallback, useEffect, useRef, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { ApiError, get } from '../api/client';
import { Checklist } from '../components/host/checklist';
import { GpuList, UsbList } from '../components/host/device-lists';
import { IommuMap } from '../components/host/iommu-map';
import { Overhead } from '../components/host/overhead';
import { RichText } from '../components/host/rich-text';
import { ErrorBox } from '../components/error-box';
import { hostHref, hostParam, isLocalUri } from '../host/page';
import type { DeviceMap, HostReport, OverheadReport, StatusReport } from '../host/types';
import type { HostSummary } from '../api/types';
import { useStore } from '../store';

interface Load<T> {
  data: T | undefined;
  error: unknown;
}

/**
 * One API answer, loaded when the host changes (`enabled` false: not wanted). `load(extra)` reads it
 * again with more query values and returns the error (undefined: it worked); a failed re-read keeps
 * the answer shown before. Only the latest request's answer is kept.
 */
function useApi<T>(path: string, host: string | undefined, enabled = true) {
  const [state, setState] = useState<Load<T>>({ data: undefined, error: undefined });
  const seq = useRef(0);
  const load = useCallback(
    async (extra: Record<string, boolean> = {}, fresh = false): Promise<unknown> => {
      const mine = ++seq.current;
      try {
        const data = await get<T>(path, { host, ...extra });
        if (mine === seq.current) setState({ data, error: undefined });
        return undefined;
      } catch (error) {
        if (mine === seq.current) setState((s) => (fresh || !s.data ? { data: undefined, error } : s));
        return error;
      }
    },
    [path, host],
  );
  useEffect(() => {
    if (!enabled) return;
    setState({ data: undefined, error: undefined });
    void load({}, true);
  }, [enabled, load]);
  return { ...state, load };
}

const isCode = (err: unknown, code: string) => err instanceof ApiError && err.code === code;

/** A refusal that is not a failure (another machine's hardware), told as a note. */
function Refusal({ error }: { error: unknown }) {
  if (isCode(error, 'host-not-local')) {
    const e = error as ApiError;
    return (
      <div className="notice host-remote" role="note">
        <p>
          <strong>Not readable from here: </strong>
          <RichText text={e.message} />
        </p>
        {e.hint ? <p className="muted">{e.hint}</p> : null}
      </div>
    );
  }
  return <ErrorBox error={error} />;
}

function HostPicker({ hosts, current }: { hosts: HostSummary[]; current: string }) {
  const [, navigate] = useLocation();
  return (
    <div className="host-picker">
      <label htmlFor="host-picker">Host</label>
      <select
        id="host-picker"
        value={current}
        onChange={(e) => navigate(hostHref(e.target.value, hosts[0]?.id))}
      >
        {hosts.map((h) => (
          <option key={h.id} value={h.id}>
            {h.id}
            {h.connected ? '' : ' (disconnected)'}
          </option>
        ))}
        {hosts.some((h) => h.id === current) ? null : <option value={current}>{current} (unknown)</option>}
      </select>
    </div>
  );
}

function StatusFacts({ status }: { status: StatusReport }) {
  const running = status.vms.byState.running ?? 0;
  return (
    <dl className="host-facts">
      <div>
        <dt>Host name</dt>
        <dd>{status.hostname}</dd>
      </div>
      <div>
        <dt>libvirt</dt>
        <dd>
          {status.libvirtVersion} <code>{status.uri}</code>
        </dd>
      </div>
      <div>
        <dt>Hypervisor</dt>
        <dd>
          {status.hypervisor.type} {status.hypervisor.version}
        </dd>
      </div>
      <div>
        <dt>Accelerators</dt>
        <dd>{status.accelerators.join(', ') || 'none'}</dd>
      </div>
      <div>
        <dt>KVM</dt>
        <dd className={`kvm-${status.kvm.state}`}>{status.kvm.summary}</dd>
      </div>
      <div>
        <dt>VMs</dt>
        <dd>
          {status.vms.total} ({running} running)
        </dd>
      </div>
    </dl>
  );
}

export function HostPage() {
  const search = useSearch();
  const storeHosts = useStore((s) => s.hosts);
  const [fetched, setFetched] = useState<HostSummary[] | undefined>(undefined);
  useEffect(() => {
    if (storeHosts.length) return;
    get<HostSummary[]>('/api/hosts')
      .then(setFetched)
      .catch(() => setFetched([]));
  }, [storeHosts.length]);
  const hosts = storeHosts.length ? storeHosts : (fetched ?? []);
  const asked = hostParam(search);
  const current = asked ?? hosts[0]?.id;
  const known = hosts.find((h) => h.id === current);
  // The overhead reads the machine the server runs on: it is about a host only when that host is local.
  const local = known ? isLocalUri(known.uri) : asked === undefined;
  const status = useApi<StatusReport>('/api/status', asked);
  const check = useApi<HostReport>('/api/host/check', asked);
  const devices = useApi<DeviceMap>('/api/host/devices', asked);
  // No ?host= here: the overhead is always this machine's.
  const overhead = useApi<OverheadReport>('/api/host/overhead', undefined, local);
  const [retesting, setRetesting] = useState(false);
  const [retestError, setRetestError] = useState<unknown>(undefined);
  const retest = async () => {
    setRetesting(true);
    setRetestError(undefined);
    const err = await check.load({ retest: true });
    setRetestError(err);
    await Promise.all([status.load(), devices.load()]);
    setRetesting(false);
  };
  const notFound = [status.error, check.error].find((e) => isCode(e, 'host-not-found'));
  const title = status.data ? `Host ${status.data.hostname}` : current ? `Host ${current}` : 'Host';
  return (
    <section className="host-page" data-host={current}>
      <div className="page-head">
        <h1>{title}</h1>
        {hosts.length > 1 || (asked && !known) ? <HostPicker hosts={hosts} current={current ?? ''} /> : null}
      </div>
      {notFound ? (
        <ErrorBox error={notFound} title="Cannot show this host" />
      ) : (
        <>
          {status.data ? <StatusFacts status={status.data} /> : null}
          {status.error ? <ErrorBox error={status.error} title="The host’s libvirt did not answer" /> : null}

          <h2 id="readiness">Readiness</h2>
          {check.data ? (
            <Checklist
              report={check.data}
              kvm={status.data?.kvm}
              onRetest={() => void retest()}
              retesting={retesting}
              retestError={retestError}
            />
          ) : check.error ? (
            <Refusal error={check.error} />
          ) : (
            <p className="loading">
              Checking the host… (the first time, a KVM boot test runs: up to half a minute)
            </p>
          )}

          <h2 id="iommu">IOMMU groups: PCI passthrough</h2>
          {devices.data ? (
            <IommuMap map={devices.data} checks={check.data?.checks ?? []} />
          ) : devices.error ? (
            <Refusal error={devices.error} />
          ) : (
            <p className="loading">Reading the devices…</p>
          )}
          {devices.data ? (
            <>
              <h2 id="gpus">GPUs</h2>
              <GpuList map={devices.data} />
              <h2 id="usb">USB devices</h2>
              <UsbList map={devices.data} />
            </>
          ) : null}

          <h2 id="overhead">Overhead: what the host keeps for itself</h2>
          {!local ? (
            <div className="notice" role="note">
              The overhead is measured on the machine Phyllome runs on; host “{current}” is another one. Run{' '}
              <code>phyllo host overhead</code> there.
            </div>
          ) : overhead.data ? (
            <Overhead report={overhead.data} />
          ) : overhead.error ? (
            <ErrorBox error={overhead.error} />
          ) : (
            <p className="loading">Measuring (half a second of CPU use)…</p>
          )}
        </>
      )}
    </section>
  );
}
