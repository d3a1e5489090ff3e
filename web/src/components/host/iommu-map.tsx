import { checkAnchor } from '../../host/checks';
import {
  className,
  mapSummary,
  orderedDevices,
  shortAddress,
  splitReasons,
  VERDICT,
} from '../../host/devices';
import type { DeviceEntry, DeviceMap, GroupEntry, GroupVerdict, HostCheck } from '../../host/types';
import { RichText } from './rich-text';

export function VerdictBadge({ verdict }: { verdict: GroupVerdict }) {
  const v = VERDICT[verdict];
  return (
    <span className={`verdict verdict-${verdict}`}>
      <span aria-hidden="true">{v.icon}</span> {v.word}
    </span>
  );
}

function Device({ d }: { d: DeviceEntry }) {
  return (
    <li className={d.bridge ? 'device bridge' : 'device'} data-address={d.address}>
      <code className="bdf" title={d.address}>
        {shortAddress(d.address)}
      </code>
      <span className="device-text">
        <span className="device-class">
          {className(d.class)}
          {d.bridge ? ' · stays with the host' : ''}
        </span>
        <span className="device-name">{d.name}</span>
        <span className="device-meta">
          [{d.vendorId}:{d.deviceId}] · driver {d.driver ?? 'none'}
          {d.bridge ? '' : ` · reset: ${d.resetMethods.length ? d.resetMethods.join(', ') : 'none'}`}
        </span>
      </span>
    </li>
  );
}

function Group({ group }: { group: GroupEntry }) {
  const { reasons, warnings } = splitReasons(group.reasons);
  const head = `iommu-group-${group.id}`;
  return (
    <article
      className={`iommu-group group-${group.verdict}`}
      aria-labelledby={head}
      data-group={group.id}
      data-verdict={group.verdict}
    >
      <header>
        <h3 id={head}>Group {group.id}</h3>
        <VerdictBadge verdict={group.verdict} />
      </header>
      <ul className="devices">
        {orderedDevices(group).map((d) => (
          <Device key={d.address} d={d} />
        ))}
      </ul>
      <div className="why">
        <p className="verdict-meaning">{VERDICT[group.verdict].meaning}</p>
        {reasons.length ? (
          <ul className="reasons">
            {reasons.map((r) => (
              <li key={r}>
                <RichText text={r} />
              </li>
            ))}
          </ul>
        ) : null}
        {warnings.length ? (
          <ul className="group-warnings">
            {warnings.map((w) => (
              <li key={w}>
                <span aria-hidden="true">⚠ </span>
                <strong>Warning:</strong> <RichText text={w} />
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </article>
  );
}

function IommuOff({ checks }: { checks: HostCheck[] }) {
  const related = checks.filter((c) => c.id === 'iommu.firmware' || c.id === 'iommu.kernel');
  return (
    <div className="iommu-off" data-iommu="off">
      <p className="iommu-off-title">
        <span aria-hidden="true">⊘ </span>
        <strong>The IOMMU is off: no PCI device can be given to a guest.</strong>
      </p>
      <p>
        PCI passthrough (a GPU, a disk controller or a network card given whole to a VM) needs the IOMMU,
        which keeps each device’s memory access inside its own guest. Without it everything else still works:
        guests get virtual devices, and USB devices can still be given to them.
      </p>
      {related.length ? (
        <ul className="reasons">
          {related.map((c) => (
            <li key={c.id}>
              <a href={`#${checkAnchor(c.id)}`}>{c.summary}</a>
              {c.fix ? (
                <>
                  {' — '}
                  <RichText text={c.fix} />
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">
          The checks iommu.firmware and iommu.kernel above say why and how to turn it on.
        </p>
      )}
    </div>
  );
}

/** The IOMMU groups drawn as boxes of their devices, each with its verdict and why. */
export function IommuMap({ map, checks }: { map: DeviceMap; checks: HostCheck[] }) {
  if (!map.iommu.enabled) return <IommuOff checks={checks} />;
  return (
    <div className="iommu-map">
      {map.iommu.acsOverride ? (
        <div className="acs-warning" role="note">
          <span aria-hidden="true">⚠ </span>
          <strong>ACS override is active</strong> (<code>pcie_acs_override</code> on the kernel command line):
          these groups are pretended, not real. The hardware does not isolate the devices, so a guest given
          one of them may reach the memory of other devices, and of the host, by DMA.
        </div>
      ) : null}
      <p className="map-summary">{mapSummary(map)}</p>
      <ul className="verdict-legend" aria-label="What the verdicts mean">
        {(Object.keys(VERDICT) as GroupVerdict[]).map((v) => (
          <li key={v}>
            <VerdictBadge verdict={v} /> {VERDICT[v].meaning}
          </li>
        ))}
      </ul>
      <div className="iommu-groups">
        {map.groups.map((g) => (
          <Group key={g.id} group={g} />
        ))}
      </div>
    </div>
  );
}
