import { checkAnchor, checkSections, checkTitle, STATUS, summarize } from '../../host/checks';
import type { HostCheck, HostReport, KvmVerdictShape } from '../../host/types';
import { ErrorBox } from '../error-box';
import { RichText } from './rich-text';

function CheckItem({ check }: { check: HostCheck }) {
  const s = STATUS[check.status];
  const needsFix = check.status === 'fail' || check.status === 'warn';
  return (
    <li id={checkAnchor(check.id)} className={`check check-${check.status}`} data-check={check.id}>
      <span className="check-status">
        <span className="check-icon" aria-hidden="true">
          {s.icon}
        </span>
        {s.word}
      </span>
      <div className="check-body">
        <p className="check-title">
          <strong>{checkTitle(check.id)}</strong>
          <span className="check-id">{check.id}</span>
        </p>
        <p className="check-summary">
          <RichText text={check.summary} />
        </p>
        {check.detail ? (
          <p className="check-detail">
            <RichText text={check.detail} />
          </p>
        ) : null}
        {check.fix ? (
          <p className={needsFix ? 'check-fix' : 'check-tip'}>
            <strong>{needsFix ? 'Fix: ' : 'Tip: '}</strong>
            <RichText text={check.fix} />
          </p>
        ) : null}
        {check.sources?.length ? (
          <p className="check-sources">
            Sources:{' '}
            {check.sources.map((src, i) => (
              <span key={src.url}>
                {i ? ', ' : ''}
                <a href={src.url} rel="noreferrer noopener" target="_blank">
                  {src.title}
                </a>
              </span>
            ))}
          </p>
        ) : null}
      </div>
    </li>
  );
}

export interface ChecklistProps {
  report: HostReport;
  /** The verdict of /api/status when it answered (may be newer than the report's). */
  kvm?: KvmVerdictShape | undefined;
  onRetest: () => void;
  retesting: boolean;
  retestError: unknown;
}

/** The readiness report: a summary line, a Re-test button, then the checks by status with their fixes. */
export function Checklist({ report, kvm, onRetest, retesting, retestError }: ChecklistProps) {
  const summary = summarize(report, kvm);
  const tested = kvm?.testedAt ?? report.host.kvmVerdict?.testedAt;
  return (
    <div className="checklist">
      <div className={`host-summary tone-${summary.tone}`} data-verdict={report.verdict}>
        <p className="host-headline">
          <span aria-hidden="true" className="summary-icon">
            {summary.tone === 'ok' ? '✓' : summary.tone === 'warn' ? '!' : '✗'}
          </span>
          {summary.headline}
        </p>
        {summary.kvm ? <p className="host-kvm">{summary.kvm}</p> : null}
        <div className="retest">
          <button type="button" onClick={onRetest} disabled={retesting} aria-busy={retesting}>
            {retesting ? 'Re-testing…' : 'Re-test'}
          </button>
          <span className="muted" aria-live="polite">
            {retesting
              ? 'Booting a small test guest under KVM and under TCG: this takes up to half a minute.'
              : tested
                ? `KVM boot test from ${new Date(tested).toLocaleString()}; Re-test runs it again.`
                : 'Re-test runs the KVM boot test again and reads the host anew.'}
          </span>
        </div>
        <ErrorBox error={retestError} title="Re-test failed" />
      </div>
      {checkSections(report.checks).map((section) => (
        <section
          key={section.key}
          className={`check-section section-${section.key}`}
          aria-labelledby={`checks-${section.key}`}
        >
          <h3 id={`checks-${section.key}`}>
            {section.title} <span className="count">({section.checks.length})</span>
          </h3>
          <ul className="checks">
            {section.checks.map((c) => (
              <CheckItem key={c.id} check={c} />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
