import { bytes } from '../../format';
import { dataDisks, removableDrives, type VmInfoReport } from '../../vmpage/report';

/** Each disk: where it is, how much it takes of what it may grow to, and what it stands on. */
export function Disks({ report }: { report: VmInfoReport }) {
  const disks = dataDisks(report.disks);
  const drives = removableDrives(report.disks);
  return (
    <div className="disks">
      {disks.length === 0 ? <p className="muted">No disks: it boots from its kernel or an ISO.</p> : null}
      {disks.map((d) => {
        const share = d.capacityBytes ? Math.min(1, (d.allocationBytes ?? 0) / d.capacityBytes) : undefined;
        return (
          <section key={d.target} className="card disk" aria-labelledby={`disk-${d.target}`}>
            <h2 id={`disk-${d.target}`}>
              {d.target} <span className="muted">{[d.bus, d.format].filter(Boolean).join(' · ')}</span>
            </h2>
            <p className="path">
              <code>{d.source ?? 'no image'}</code>
            </p>
            <p>
              {bytes(d.allocationBytes)} used of {bytes(d.capacityBytes)}
            </p>
            {share !== undefined ? (
              <meter
                className="progress"
                min={0}
                max={1}
                value={share}
                aria-label={`${d.target} space used`}
              />
            ) : null}
            <h3>Backing chain</h3>
            {d.backingChain === null ? (
              <p className="muted">Not readable from here (a shut-off VM on another host).</p>
            ) : d.backingChain.length <= 1 ? (
              <p className="muted">Its own image: it stands on nothing.</p>
            ) : (
              <ol className="chain">
                {d.backingChain.map((c, i) => (
                  <li key={c.path}>
                    <code>{c.path}</code>{' '}
                    <span className="muted">
                      {i === 0 ? 'its image (writes go here)' : 'read-only base'} · {bytes(c.allocationBytes)}{' '}
                      of {bytes(c.capacityBytes)}
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </section>
        );
      })}
      {drives.length ? (
        <>
          <h2>Removable drives</h2>
          <ul>
            {drives.map((d) => (
              <li key={d.target}>
                {d.target} ({d.device}):{' '}
                {d.source ? <code>{d.source}</code> : <span className="muted">empty</span>}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
