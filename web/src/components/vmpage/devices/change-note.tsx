import { appliesText } from '../../../vmpage/devices';
import type { Done } from './use-device-section';

/** Warnings of a change (a PCI passthrough's ACS override, a missing reset…): shown first and loud. */
export function DeviceWarnings({ warnings }: { warnings: readonly string[] | undefined }) {
  if (!warnings?.length) return null;
  return (
    <div className="device-warnings" role="alert">
      <strong>{warnings.length === 1 ? 'Warning' : `${warnings.length} warnings`}</strong>
      <ul>
        {warnings.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
    </div>
  );
}

/** A change that went through: its warnings, what was done, and whether it applies now or at the next start. */
export function ChangeNote({ done }: { done: Done | undefined }) {
  if (!done) return null;
  return (
    <>
      <DeviceWarnings warnings={done.warnings} />
      <div role="status" className="change-note">
        <p className="ok-note">{done.text}</p>
        {done.change ? (
          <p className="applies" data-applies={done.change.applies}>
            {appliesText(done.change)}
          </p>
        ) : null}
        {done.mount ? (
          <p>
            In the guest: <code className="cmd">{done.mount}</code>
          </p>
        ) : null}
      </div>
    </>
  );
}
