import { useState, type FormEvent, type ReactNode } from 'react';
import type { HostDeviceAdd } from '../../../api/devices';
import { mapSummary, VERDICT } from '../../../host/devices';
import type { DeviceMap } from '../../../host/types';
import { mdevChoices, pciChoices, usbChoices } from '../../../vmpage/devices';
import { SubmitRow } from './form-parts';

interface FormProps {
  map: DeviceMap | undefined;
  busy: string | undefined;
  onAdd: (body: HostDeviceAdd) => void;
}

/** A PCI device to pass through: picked from the host's IOMMU groups with their verdicts, or typed. */
function PciForm({ map, mapError, busy, onAdd }: FormProps & { mapError: unknown }) {
  const [address, setAddress] = useState('');
  const [withGroup, setWithGroup] = useState(false);
  const choices = pciChoices(map);
  const chosen = choices.find((c) => c.address === address);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onAdd({ pci: address.trim(), ...(withGroup ? { withGroup: true } : {}) });
  };
  const about = map
    ? mapSummary(map)
    : mapError
      ? `The host’s IOMMU groups could not be read (${mapError instanceof Error ? mapError.message : String(mapError)}); type the device’s address.`
      : 'Reading the host’s IOMMU groups…';
  return (
    <form className="device-form" onSubmit={submit} noValidate aria-label="Give a PCI device">
      <p className="muted form-lede">{about}</p>
      {choices.length ? (
        <div className="field field-row">
          <label htmlFor="pci-pick">PCI device of this host</label>
          <select id="pci-pick" value={chosen ? address : ''} onChange={(e) => setAddress(e.target.value)}>
            <option value="">— choose one, or type its address —</option>
            {choices.map((c) => (
              <option key={c.address} value={c.address}>
                {c.label}
              </option>
            ))}
          </select>
          {chosen ? (
            <p className="help" data-verdict={chosen.verdict}>
              {VERDICT[chosen.verdict].meaning}
            </p>
          ) : null}
        </div>
      ) : null}
      <div className="field">
        <label htmlFor="pci-address">PCI address</label>
        <input
          id="pci-address"
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          placeholder="0000:0b:00.0"
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <label className="choice">
        <input type="checkbox" checked={withGroup} onChange={(e) => setWithGroup(e.target.checked)} />
        With its whole IOMMU group (every device in it; the group&rsquo;s bridges stay with the host)
      </label>
      <SubmitRow
        busy={busy}
        mine="pci"
        label="Give PCI device"
        working="Giving…"
        disabled={address.trim() === ''}
      />
    </form>
  );
}

/** A plugged-in USB device by `VID:PID` (any port) or `BUS.DEVICE` (that one device). */
function UsbForm({ map, busy, onAdd }: FormProps) {
  const [id, setId] = useState('');
  const choices = usbChoices(map);
  return (
    <form
      className="device-form"
      onSubmit={(e) => {
        e.preventDefault();
        onAdd({ usb: id.trim() });
      }}
      noValidate
      aria-label="Give a USB device"
    >
      <div className="field field-wide">
        <label htmlFor="usb-id">USB device</label>
        <input
          id="usb-id"
          value={id}
          onChange={(e) => setId(e.target.value)}
          placeholder="046d:c52b"
          list="usb-choices"
          autoComplete="off"
          spellCheck={false}
          aria-describedby="usb-id-help"
        />
        <datalist id="usb-choices">
          {choices.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </datalist>
        <p id="usb-id-help" className="help">
          <code>VID:PID</code> follows the device to any port; <code>BUS.DEVICE</code> (lsusb&rsquo;s
          &ldquo;Bus 001 Device 005&rdquo; is <code>1.5</code>) is that device until it is unplugged.
          {map && !choices.length ? ' This host has no USB device plugged in.' : ''}
        </p>
      </div>
      <SubmitRow
        busy={busy}
        mine="usb"
        label="Give USB device"
        working="Giving…"
        disabled={id.trim() === ''}
      />
    </form>
  );
}

/** A slice of a GPU (a mediated device) of a type the GPU offers. */
function MdevForm({ map, busy, onAdd }: FormProps) {
  const [gpu, setGpu] = useState('');
  const [type, setType] = useState('');
  const gpus = mdevChoices(map);
  const types = gpus.find((g) => g.address === gpu)?.types ?? gpus.flatMap((g) => g.types);
  return (
    <details className="device-more">
      <summary>A mediated device (a slice of a GPU)</summary>
      {map && !gpus.length ? (
        <p className="muted">No GPU of this host offers mediated devices (Intel GVT-g, NVIDIA vGPU).</p>
      ) : null}
      <form
        className="device-form"
        onSubmit={(e) => {
          e.preventDefault();
          onAdd({ gpu: gpu.trim(), mdev: type.trim() });
        }}
        noValidate
        aria-label="Give a mediated device"
      >
        <div className="field">
          <label htmlFor="mdev-gpu">GPU</label>
          <input
            id="mdev-gpu"
            value={gpu}
            onChange={(e) => setGpu(e.target.value)}
            placeholder="0000:00:02.0"
            list="mdev-gpus"
            autoComplete="off"
          />
          <datalist id="mdev-gpus">
            {gpus.map((g) => (
              <option key={g.address} value={g.address}>
                {g.name}
              </option>
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="mdev-type">Type</label>
          <input
            id="mdev-type"
            value={type}
            onChange={(e) => setType(e.target.value)}
            placeholder="i915-GVTg_V5_4"
            list="mdev-types"
            autoComplete="off"
          />
          <datalist id="mdev-types">
            {types.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </div>
        <SubmitRow
          busy={busy}
          mine="mdev"
          label="Give mediated device"
          working="Giving…"
          disabled={gpu.trim() === '' || type.trim() === ''}
        />
      </form>
    </details>
  );
}

export type DeviceKind = 'pci' | 'usb' | 'mdev';

/**
 * The three ways to give the VM a host device, each its own small form; `outcome` (the last request's
 * error or result) is shown under the form it came from.
 */
export function HostDeviceForms({
  outcome,
  ...props
}: FormProps & { mapError: unknown; outcome?: { at: DeviceKind; node: ReactNode } }) {
  const after = (kind: DeviceKind) => (outcome?.at === kind ? outcome.node : null);
  return (
    <div className="host-device-forms">
      <h3>PCI passthrough</h3>
      <PciForm {...props} />
      {after('pci')}
      <h3>USB passthrough</h3>
      <UsbForm {...props} />
      {after('usb')}
      <MdevForm {...props} />
      {after('mdev')}
    </div>
  );
}
