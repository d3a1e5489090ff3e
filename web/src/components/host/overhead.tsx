import { bytes, percent } from '../../format';
import { cpuRows, cpuSentence, memorySegments, overheadBytes } from '../../host/overhead';
import type { OverheadGroup, OverheadReport } from '../../host/types';

const GROUP_WORDS: Record<OverheadGroup, string> = {
  host: 'Host OS',
  virtualization: 'libvirt and helpers',
  phyllome: 'Phyllome',
  guests: 'Guests',
};

/** The host's overhead: a memory bar, CPU use by group, services a headless host may not need. */
export function Overhead({ report }: { report: OverheadReport }) {
  const segments = memorySegments(report);
  const label = segments.map((s) => `${s.label} ${bytes(s.bytes)} (${percent(s.percent)})`).join(', ');
  const over = overheadBytes(report);
  return (
    <div className="overhead">
      <h3>Memory</h3>
      <p>
        Guests can have up to <strong>{bytes(report.memory.leftForGuestsBytes)}</strong> of the machine’s{' '}
        {bytes(report.memory.totalBytes)}: the host OS, libvirt and Phyllome hold {bytes(over)} (
        {percent((over * 100) / Math.max(1, report.memory.totalBytes))}).
      </p>
      <div className="mem-bar" role="img" aria-label={`Memory: ${label}`}>
        {segments.map((s) =>
          s.percent > 0 ? (
            <span
              key={s.key}
              className={`seg seg-${s.key}`}
              style={{ width: `${s.percent}%` }}
              title={`${s.label}: ${bytes(s.bytes)}`}
            />
          ) : null,
        )}
      </div>
      <ul className="mem-legend">
        {segments.map((s) => (
          <li key={s.key} data-segment={s.key}>
            <span className={`swatch seg-${s.key}`} aria-hidden="true" />
            <span className="legend-label">{s.label}</span>
            <span className="legend-value">
              {bytes(s.bytes)} · {percent(s.percent)}
            </span>
          </li>
        ))}
      </ul>
      <details className="top-processes">
        <summary>The biggest processes of each group</summary>
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Processes</th>
                <th scope="col">Biggest (resident memory)</th>
              </tr>
            </thead>
            <tbody>
              {(Object.keys(GROUP_WORDS) as OverheadGroup[]).map((g) => (
                <tr key={g}>
                  <td>{GROUP_WORDS[g]}</td>
                  <td>{report.groups[g].processes}</td>
                  <td>
                    {report.groups[g].top.length
                      ? report.groups[g].top.map((p) => `${p.name} (${bytes(p.memoryBytes)})`).join(', ')
                      : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
      <h3>CPU</h3>
      <p>{cpuSentence(report)}</p>
      <ul className="cpu-rows">
        {cpuRows(report).map((r) => (
          <li key={r.key} data-cpu={r.key}>
            <span className="legend-label">{r.label}</span>
            <span className="cpu-meter" aria-hidden="true">
              <span className={`seg seg-${r.key}`} style={{ width: `${Math.min(100, r.percent)}%` }} />
            </span>
            <span className="legend-value">{percent(r.percent)}</span>
          </li>
        ))}
      </ul>
      <h3>Services a headless host may not need</h3>
      <p className="muted">{report.services.note}</p>
      {report.services.unneeded.length ? (
        <ul className="services">
          {report.services.unneeded.map((s) => (
            <li key={s.name}>
              <code>{s.name}</code>: {s.why}
              {s.memoryBytes ? ` (${bytes(s.memoryBytes)})` : ''}
              {s.fix ? (
                <>
                  {' — stop it for good: '}
                  <code className="cmd">{s.fix}</code>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p>None of the services a desktop install runs (graphical login, printing, Bluetooth…) is running.</p>
      )}
    </div>
  );
}
