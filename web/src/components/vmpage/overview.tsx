import type { VmListEntry } from '../../api/types';
import { bytes, duration, percent, stateLabel } from '../../format';
import { decisionsOf, snapshotNames, topicLabel, type VmInfoReport } from '../../vmpage/report';

/** The VM at a glance, and the model's choices for it with their reasons. */
export function Overview({
  report,
  live,
  onDiagnose,
  diagnosing,
}: {
  report: VmInfoReport;
  live: VmListEntry | undefined;
  onDiagnose: () => void;
  diagnosing: boolean;
}) {
  const s = live ?? report.summary;
  const facts: [string, string][] = [
    ['State', stateLabel(s.state)],
    ['OS', report.phyllome?.os ?? s.os ?? 'unknown'],
    ['vCPUs', s.vcpus === null ? '—' : String(s.vcpus)],
    ['Memory', bytes(s.memoryBytes)],
    ['Memory in use', bytes(s.memoryInUseBytes)],
    ['CPU', percent(s.cpuPercent)],
    ['Up for', duration(s.uptimeSeconds)],
    [
      'Disks',
      s.diskCapacityBytes === null
        ? 'none'
        : `${bytes(s.diskAllocationBytes)} used of ${bytes(s.diskCapacityBytes)}`,
    ],
    [
      'Accelerator',
      report.domainType === 'kvm'
        ? 'KVM'
        : report.domainType === 'qemu'
          ? 'QEMU emulation (TCG)'
          : report.domainType,
    ],
    ['Machine', report.machine ?? '—'],
    ['Firmware', report.firmware ?? '—'],
    ['Display', report.displays.map((d) => d.type.toUpperCase()).join(', ') || 'none'],
    ['Snapshots', snapshotNames(report).join(', ') || 'none'],
    ['Linked clones on it', report.dependentClones.join(', ') || 'none'],
  ];
  const decisions = decisionsOf(report);
  const m = report.model;
  return (
    <div className="overview">
      <dl className="facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <p>
        <button type="button" onClick={onDiagnose} disabled={diagnosing}>
          {diagnosing ? 'Diagnosing…' : 'Diagnose'}
        </button>{' '}
        <span className="muted">
          Looks for what keeps it from starting: missing files, firmware, TPM, the QEMU log.
        </span>
      </p>
      <h2>The model&rsquo;s choices</h2>
      {m.source === 'unavailable' ? (
        <p className="notice">No reasons to show: {m.reason}.</p>
      ) : (
        <>
          <p className="muted">
            Re-derived from the options it was created with, on this host as it is today (model version{' '}
            {m.currentModelVersion}
            {m.recordedModelVersion !== m.currentModelVersion
              ? `; it was created with version ${m.recordedModelVersion}`
              : ''}
            ).
          </p>
          {m.warnings.length ? (
            <ul className="warnings notice" aria-label="Warnings">
              {m.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          ) : null}
          <table className="decisions">
            <thead>
              <tr>
                <th scope="col">Topic</th>
                <th scope="col">Choice</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {decisions.map((d, i) => (
                <tr key={`${d.topic}-${i}`}>
                  <th scope="row">{topicLabel(d.topic)}</th>
                  <td>
                    <code>{d.choice}</code>
                  </td>
                  <td>{d.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <details className="devices">
        <summary>Devices ({report.devices.reduce((n, d) => n + d.count, 0)})</summary>
        <ul>
          {report.devices.map((d, i) => (
            <li key={i}>
              <strong>{d.kind}</strong> {d.summary}
              {d.count > 1 ? ` ×${d.count}` : ''}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
