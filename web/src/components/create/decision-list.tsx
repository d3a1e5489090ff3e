import type { Decision } from '../../api/types';
import { topicLabel } from '../../create/catalog';

/** The model's decisions as "topic: choice — reason", with its warnings first. */
export function DecisionList({
  decisions,
  warnings = [],
  busy = false,
  stale = false,
}: {
  decisions: readonly Decision[] | undefined;
  warnings?: readonly string[];
  busy?: boolean;
  /** The options changed and the answer for them failed: these are for the last good ones. */
  stale?: boolean;
}) {
  return (
    <div className={`decisions${stale ? ' stale' : ''}`} aria-busy={busy}>
      {warnings.length ? (
        <ul className="warnings">
          {warnings.map((w) => (
            <li key={w} className="notice">
              {w}
            </li>
          ))}
        </ul>
      ) : null}
      {stale && decisions ? (
        <p className="muted stale-note">These decisions are for the last options the server accepted.</p>
      ) : null}
      {decisions ? (
        <ul className="decision-list">
          {decisions.map((d) => (
            <li key={`${d.topic}\n${d.choice}`} data-topic={d.topic}>
              <span className="decision-topic">{topicLabel(d.topic)}</span>{' '}
              <strong className="decision-choice">{d.choice}</strong>
              <span className="decision-reason"> — {d.reason}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{busy ? 'Asking the model…' : 'Pick an OS to see what the model decides.'}</p>
      )}
    </div>
  );
}
