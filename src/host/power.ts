import { valueOr } from './fact.js';
import type { RootFs } from './root-fs.js';

export interface PowerFacts {
  batteryPresent: boolean;
  /** True when no mains supply is online and a battery is present. */
  onBattery: boolean;
  /** Percent of the first system battery. */
  capacity: number | null;
  batteryStatus: string | null;
  supplies: { name: string; type: string; online: boolean | null }[];
}

/** Power supplies from sys/class/power_supply; device batteries (`scope=Device`, a mouse) are ignored. */
export function probePower(fs: RootFs): PowerFacts {
  const supplies = fs
    .entries('sys/class/power_supply')
    .map((name) => {
      const dir = `sys/class/power_supply/${name}`;
      const online = fs.attr(`${dir}/online`);
      return {
        name,
        type: valueOr(fs.attr(`${dir}/type`), 'Unknown'),
        scope: valueOr(fs.attr(`${dir}/scope`), 'System'),
        online: online.known ? online.value === '1' : null,
      };
    })
    .filter((s) => s.scope !== 'Device')
    .map(({ name, type, online }) => ({ name, type, online }));
  const battery = supplies.find((s) => s.type === 'Battery');
  const mainsOnline = supplies.some((s) => s.type !== 'Battery' && s.online === true);
  return {
    batteryPresent: !!battery,
    onBattery: !!battery && !mainsOnline,
    capacity: battery ? valueOr(fs.int(`sys/class/power_supply/${battery.name}/capacity`), null) : null,
    batteryStatus: battery ? valueOr(fs.attr(`sys/class/power_supply/${battery.name}/status`), null) : null,
    supplies,
  };
}
