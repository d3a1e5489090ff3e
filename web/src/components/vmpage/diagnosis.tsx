import type { Diagnosis } from '../../vmpage/report';

/** `phyllo vm diagnose` in plain words: what is wrong, and what to do about it. */
export function DiagnosisView({ diagnosis, onClose }: { diagnosis: Diagnosis; onClose?: () => void }) {
  const d = diagnosis;
  return (
    <section className="diagnosis card" aria-labelledby="diagnosis-title">
      <div className="section-head">
        <h2 id="diagnosis-title">
          {d.findings.some((f) => f.severity === 'problem')
            ? `Why ${d.vm} does not start`
            : `Diagnosis of ${d.vm}`}
        </h2>
        {onClose ? (
          <button type="button" className="link" onClick={onClose}>
            Hide
          </button>
        ) : null}
      </div>
      {d.lastStartFailure && !d.findings.some((f) => f.id === 'start.failed') ? (
        <p>
          The last start failed ({new Date(d.lastStartFailure.at).toLocaleString()}):{' '}
          <q>{d.lastStartFailure.message}</q>
        </p>
      ) : null}
      {d.findings.length === 0 ? (
        <p className="muted">
          Nothing found wrong: the definition&rsquo;s files are there and libvirt has no recorded failure.
        </p>
      ) : (
        <ul className="findings">
          {d.findings.map((f, i) => (
            <li key={`${f.id}-${i}`} className={`finding finding-${f.severity}`}>
              <strong>{f.severity === 'problem' ? 'Problem' : 'Warning'}:</strong> {f.summary}
              {f.detail ? <p className="muted">{f.detail}</p> : null}
              <p className="fix">
                <strong>What to do:</strong> {f.fix}
              </p>
            </li>
          ))}
        </ul>
      )}
      <details>
        <summary>QEMU log ({d.qemuLog.path})</summary>
        {d.qemuLog.tail ? (
          <pre className="log">{d.qemuLog.tail}</pre>
        ) : (
          <p className="muted">{d.qemuLog.note ?? 'empty'}</p>
        )}
      </details>
    </section>
  );
}
