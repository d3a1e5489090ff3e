import type { ProcessSample } from './processes.js';

export type ServiceSource = 'systemd' | 'processes';

export interface ServiceFinding {
  /** The unit (`cups.service`) or, without a service manager, the process name. */
  name: string;
  why: string;
  /** How to stop it for good, when a service manager runs it. */
  fix?: string;
  /** Its resident memory, when its process was found. */
  memoryBytes?: number;
}

/**
 * Services a desktop or laptop install runs that a headless VM host does not need, by the process
 * name that shows them and the unit that starts them. Each costs memory (and wake-ups) that guests
 * could have. Only suggestions: a host that is also someone's desktop needs some of them.
 */
const KNOWN: { procs: string[]; unit: string; why: string }[] = [
  {
    procs: ['gdm', 'gdm3'],
    unit: 'gdm.service',
    why: 'a graphical login: a headless host has no local screen',
  },
  {
    procs: ['lightdm'],
    unit: 'lightdm.service',
    why: 'a graphical login: a headless host has no local screen',
  },
  { procs: ['sddm'], unit: 'sddm.service', why: 'a graphical login: a headless host has no local screen' },
  { procs: ['cupsd'], unit: 'cups.service', why: 'printing' },
  { procs: ['cups-browsed'], unit: 'cups-browsed.service', why: 'finds network printers' },
  { procs: ['bluetoothd'], unit: 'bluetooth.service', why: 'Bluetooth' },
  { procs: ['ModemManager'], unit: 'ModemManager.service', why: 'mobile broadband modems' },
  {
    procs: ['avahi-daemon'],
    unit: 'avahi-daemon.service',
    why: 'announces the host on the local network (mDNS)',
  },
  { procs: ['packagekitd'], unit: 'packagekit.service', why: 'software updates for desktop apps' },
  { procs: ['snapd'], unit: 'snapd.service', why: 'snap packages' },
  { procs: ['fwupd'], unit: 'fwupd.service', why: 'firmware updates (run it by hand when you update)' },
  { procs: ['colord'], unit: 'colord.service', why: 'colour profiles for screens and printers' },
  { procs: ['accounts-daemon'], unit: 'accounts-daemon.service', why: 'user accounts for the desktop' },
  { procs: ['udisksd'], unit: 'udisks2.service', why: 'mounts removable disks for the desktop' },
  { procs: ['upowerd'], unit: 'upower.service', why: 'battery status for the desktop' },
  { procs: ['geoclue'], unit: 'geoclue.service', why: 'location for desktop apps' },
  { procs: ['switcheroo-cont'], unit: 'switcheroo-control.service', why: 'picks a GPU for desktop apps' },
  { procs: ['power-profiles-'], unit: 'power-profiles-daemon.service', why: 'desktop power profiles' },
  { procs: ['whoopsie'], unit: 'whoopsie.service', why: 'sends crash reports' },
  { procs: ['kerneloops'], unit: 'kerneloops.service', why: 'sends kernel crash reports' },
];

/**
 * The running services a headless host may not need: from systemd's running units when it runs
 * (`runningUnits`), else from the process list (named by process, without a fix: no service manager
 * to stop them with).
 */
export async function unneededServices(
  procs: ProcessSample[],
  runningUnits?: () => Promise<string[] | undefined>,
): Promise<{ source: ServiceSource; note: string; unneeded: ServiceFinding[] }> {
  const memOf = (names: string[]) => {
    const ps = procs.filter((p) => names.includes(p.comm));
    return ps.length ? ps.reduce((a, p) => a + p.rssBytes, 0) : undefined;
  };
  const units = await runningUnits?.().catch(() => undefined);
  if (units) {
    const running = new Set(units);
    return {
      source: 'systemd',
      note: 'Read from systemd’s running service units.',
      unneeded: KNOWN.filter((k) => running.has(k.unit)).map((k) => {
        const mem = memOf(k.procs);
        return {
          name: k.unit,
          why: k.why,
          fix: `systemctl disable --now ${k.unit}`,
          ...(mem === undefined ? {} : { memoryBytes: mem }),
        };
      }),
    };
  }
  const found = KNOWN.filter((k) => procs.some((p) => k.procs.includes(p.comm)));
  return {
    source: 'processes',
    note: 'No service manager runs on this host (systemd is not PID 1): read from the running processes.',
    unneeded: found.map((k) => ({ name: k.procs[0]!, why: k.why, memoryBytes: memOf(k.procs) ?? 0 })),
  };
}
