import { useEffect, useState } from 'react';
import {
  addHostdev,
  hostDeviceMap,
  hostdevs,
  removeHostdev,
  type DeviceList,
  type HostDeviceAdd,
} from '../../../api/devices';
import type { DeviceMap } from '../../../host/types';
import { addedText, liveText, needsWholeGroup } from '../../../vmpage/devices';
import { ErrorBox } from '../../error-box';
import { ChangeNote } from './change-note';
import { HostDeviceForms, type DeviceKind } from './host-device-forms';
import { useDeviceSection, type SectionProps } from './use-device-section';
import { DeviceTable, RemoveButton } from './form-parts';

interface Row {
  kind: 'PCI' | 'USB' | 'Mediated';
  /** What `DELETE …/devices/{id}` takes. */
  id: string;
  what: string;
  live?: boolean;
}

function rows(d: DeviceList): Row[] {
  return [
    ...d.devices.map((p) => ({
      kind: 'PCI' as const,
      id: p.address,
      what: [p.hostName ?? 'not on this host', p.hostDriver ? `driver ${p.hostDriver}` : '']
        .filter(Boolean)
        .join(' · '),
      live: p.live,
    })),
    ...d.usb.map((u) => ({
      kind: 'USB' as const,
      id: u.id,
      what: [u.hostName ?? 'not plugged in', u.hostAddress ? `at ${u.hostAddress}` : '']
        .filter(Boolean)
        .join(' '),
      live: u.live,
    })),
    ...d.mdev.map((m) => ({ kind: 'Mediated' as const, id: m.uuid, what: m.model, live: m.live })),
  ];
}

const kindOf = (body: HostDeviceAdd): DeviceKind => ('pci' in body ? 'pci' : 'usb' in body ? 'usb' : 'mdev');

/** Host devices the VM has (PCI, USB, mediated), and giving it more (`phyllo vm device`). */
export function HostDevicesSection({ host, name, stateKey, onChanged }: SectionProps) {
  const s = useDeviceSection(() => hostdevs(host, name), stateKey);
  const [map, setMap] = useState<DeviceMap>();
  const [mapError, setMapError] = useState<unknown>();
  const [lastPci, setLastPci] = useState<string>();
  /** Where the last request came from: a form (its outcome shown under it) or the list's Remove. */
  const [at, setAt] = useState<DeviceKind | 'list'>('list');
  useEffect(() => {
    hostDeviceMap(host).then(setMap, setMapError);
  }, [host]);
  const list = s.data ? rows(s.data) : undefined;
  const showLive = list?.some((r) => r.live !== undefined);

  const add = (body: HostDeviceAdd) => {
    setLastPci('pci' in body ? body.pci : undefined);
    setAt(kindOf(body));
    void s.act(kindOf(body), async () => {
      const r = await addHostdev(host, name, body);
      onChanged();
      return { text: addedText(r), change: r, ...(r.kind === 'pci' ? { warnings: r.warnings } : {}) };
    });
  };
  const remove = (r: Row) => {
    setAt('list');
    void s.act(`remove-${r.id}`, async () => {
      const out = await removeHostdev(host, name, r.id);
      onChanged();
      return { text: `Took ${out.removed} (${r.kind}) from ${name}.`, change: out };
    });
  };
  const outcome = (
    <>
      <ErrorBox error={s.error} title="The host device was not changed" />
      {lastPci && needsWholeGroup(s.error) ? (
        <p className="retry">
          <button type="button" className="primary" onClick={() => add({ pci: lastPci, withGroup: true })}>
            Give the whole group
          </button>{' '}
          <span className="muted">Every device of its IOMMU group goes to {name} together.</span>
        </p>
      ) : null}
      <ChangeNote done={s.done} />
    </>
  );

  return (
    <section className="device-section" aria-labelledby="hostdevs-head">
      <h2 id="hostdevs-head">Host devices</h2>
      <DeviceTable
        list={list}
        loadError={s.loadError}
        what="The host devices"
        empty={<>No host device is given to {name}.</>}
        columns={['Device', 'Kind', 'On the host']}
        showLive={showLive}
        row={(r) => (
          <tr key={r.id} data-hostdev={r.id}>
            <th scope="row">
              <code>{r.id}</code>
            </th>
            <td>{r.kind}</td>
            <td className="grow">{r.what}</td>
            {showLive ? <td>{liveText(r.live)}</td> : null}
            <td className="row-actions">
              <RemoveButton busy={s.busy} id={r.id} what={`device ${r.id}`} onRemove={() => remove(r)} />
            </td>
          </tr>
        )}
      />
      {at === 'list' ? outcome : null}
      <HostDeviceForms
        map={map}
        mapError={mapError}
        busy={s.busy}
        onAdd={add}
        {...(at === 'list' ? {} : { outcome: { at, node: outcome } })}
      />
    </section>
  );
}
