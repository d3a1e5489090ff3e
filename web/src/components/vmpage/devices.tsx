import type { VmState } from '../../api/types';
import { isActive } from '../../format';
import { HostDevicesSection } from './devices/host-devices-section';
import { NicsSection } from './devices/nics-section';
import { SharesSection } from './devices/shares-section';
import { UsbRulesSection } from './devices/usb-rules-section';

/**
 * The VM's devices (docs/devices.md): network cards, shared folders, host devices and USB rules. Each
 * change goes into its definition, and into the running guest where libvirt and the device allow;
 * the answer says which.
 */
export function Devices({
  host,
  name,
  state,
  onChanged,
}: {
  host: string;
  name: string;
  state: VmState | undefined;
  onChanged: () => void;
}) {
  // The lists are read again when the state moves: what the running guest has (`live`) follows it.
  const stateKey = state ?? 'unknown';
  const props = { host, name, stateKey, onChanged };
  return (
    <div className="devices">
      <p className="muted devices-lede">
        {state !== undefined && isActive(state)
          ? `${name} runs: a change is made in the guest at once where it can be, else at its next start; each says which.`
          : `${name} is not running: changes go into its definition and it has them when it starts.`}
      </p>
      <NicsSection {...props} />
      <SharesSection {...props} />
      <HostDevicesSection {...props} />
      <UsbRulesSection host={host} name={name} stateKey={stateKey} />
    </div>
  );
}
