import { groupOf, shortAddress, usbKindLabel, usbSpeed } from '../../host/devices';
import type { DeviceMap, Gpu } from '../../host/types';
import { VerdictBadge } from './iommu-map';

function GpuItem({ gpu, map }: { gpu: Gpu; map: DeviceMap }) {
  const group = map.iommu.enabled ? groupOf(map, gpu.address) : undefined;
  const lit = gpu.connectors.filter((c) => c.connected).map((c) => c.name);
  const facts: string[] = [];
  if (gpu.drivesDisplay) facts.push(`drives the host’s display (${lit.join(', ')})`);
  else if (gpu.bootVga) facts.push('the boot VGA device: the host’s console is on it');
  else facts.push('no display connected');
  facts.push(
    gpu.renderNode
      ? `render node ${gpu.renderNode}: guests can get 3D (virgl) from it`
      : 'no render node: no virgl 3D for guests from it',
  );
  if (gpu.mdevTypes.length) facts.push(`can be shared (mdev: ${gpu.mdevTypes.join(', ')})`);
  if (gpu.sriovTotalVfs) facts.push(`can be split into ${gpu.sriovTotalVfs} SR-IOV virtual functions`);
  return (
    <li className="gpu" data-gpu={gpu.address}>
      <p className="gpu-name">
        <strong>{gpu.name}</strong>
      </p>
      <p className="device-meta">
        <code className="bdf">{shortAddress(gpu.address)}</code> · driver {gpu.driver ?? 'none'}
        {gpu.card ? ` · ${gpu.card}` : ''}
      </p>
      <ul className="gpu-facts">
        {facts.map((f) => (
          <li key={f}>{f}</li>
        ))}
      </ul>
      <p className="gpu-passthrough">
        {group ? (
          <>
            Passthrough: in group {group.id}, <VerdictBadge verdict={group.verdict} />
          </>
        ) : map.iommu.enabled ? (
          'Passthrough: in no IOMMU group'
        ) : (
          'Passthrough: impossible (the IOMMU is off)'
        )}
      </p>
    </li>
  );
}

export function GpuList({ map }: { map: DeviceMap }) {
  if (!map.gpus.length)
    return <p className="muted">No GPU found: guests get 2D graphics (a virtual display) only.</p>;
  return (
    <ul className="gpus">
      {map.gpus.map((g) => (
        <GpuItem key={g.address} gpu={g} map={map} />
      ))}
    </ul>
  );
}

export function UsbList({ map }: { map: DeviceMap }) {
  if (!map.usb.length) return <p className="muted">No USB device is plugged in.</p>;
  return (
    <div className="table-scroll">
      <table className="usb">
        <caption className="muted">
          A USB device can be given to a guest by its vendor:product id, IOMMU or not.
        </caption>
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Kind</th>
            <th scope="col">Speed</th>
            <th scope="col" className="hide-narrow">
              Port
            </th>
            <th scope="col">ID</th>
          </tr>
        </thead>
        <tbody>
          {map.usb.map((u) => (
            <tr key={u.port} data-usb={u.port}>
              <td>{u.name}</td>
              <td>{usbKindLabel(u.kind)}</td>
              <td>{usbSpeed(u.speedMbps)}</td>
              <td className="hide-narrow">
                <code>{u.port}</code>
              </td>
              <td>
                <code>
                  {u.vendorId}:{u.productId}
                </code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
