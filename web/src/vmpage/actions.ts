// Which power actions fit which state (the server's src/machines/power-rules.ts, seen from the page),
// and the VM page's tabs. Pure: tested in actions.test.ts.
import type { VmState } from '../api/types';

export type PageAction = 'start' | 'shutdown' | 'reboot' | 'pause' | 'resume' | 'kill';

export interface ActionSpec {
  op: PageAction;
  label: string;
  /** What the button's title says it does. */
  help: string;
  /** Asks first (a real dialog): the guest loses what it did not save. */
  confirm?: string;
  /** The first (primary) action of the state. */
  primary?: boolean;
  danger?: boolean;
}

const SPECS: Record<PageAction, Omit<ActionSpec, 'primary'>> = {
  start: { op: 'start', label: 'Start', help: 'Power the VM on' },
  shutdown: {
    op: 'shutdown',
    label: 'Shut down',
    help: 'Press the ACPI power button: the guest shuts down cleanly',
  },
  reboot: { op: 'reboot', label: 'Reboot', help: 'Ask the guest to restart' },
  pause: { op: 'pause', label: 'Pause', help: 'Freeze the VM (its memory stays)' },
  resume: { op: 'resume', label: 'Resume', help: 'Let a paused VM run again' },
  kill: {
    op: 'kill',
    label: 'Power off',
    help: 'Pull the plug at once (phyllo vm kill)',
    confirm:
      'Power it off at once, as pulling the plug: the guest does not shut down, and what it did not write to disk is lost.',
    danger: true,
  },
};

/** The power actions that fit a state, in the order shown (the first is the usual one). */
export function actionsFor(state: VmState | undefined): ActionSpec[] {
  const ops: PageAction[] = (() => {
    switch (state) {
      case 'running':
      case 'blocked':
        return ['shutdown', 'reboot', 'pause', 'kill'];
      case 'paused':
        return ['resume', 'kill'];
      case 'shutdown':
        return ['kill'];
      case 'shutoff':
        return ['start'];
      case 'crashed':
        return ['start', 'kill'];
      case 'pmsuspended':
        return ['kill'];
      default:
        return [];
    }
  })();
  return ops.map((op, i) => ({ ...SPECS[op], ...(i === 0 ? { primary: true } : {}) }));
}

export type TabId =
  | 'overview'
  | 'console'
  | 'serial'
  | 'charts'
  | 'disks'
  | 'snapshots'
  | 'clone'
  | 'export'
  | 'media'
  | 'devices'
  | 'settings'
  | 'delete';

export const TABS: { id: TabId; label: string }[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'console', label: 'Console' },
  { id: 'serial', label: 'Serial' },
  { id: 'charts', label: 'Charts' },
  { id: 'disks', label: 'Disks' },
  { id: 'snapshots', label: 'Snapshots' },
  { id: 'clone', label: 'Clone' },
  { id: 'export', label: 'Export' },
  { id: 'media', label: 'Media' },
  { id: 'devices', label: 'Devices' },
  { id: 'settings', label: 'Settings' },
  { id: 'delete', label: 'Delete' },
];

/** A tab id from the address's hash (`#snapshots`); the overview when it names none. */
export function tabFromHash(hash: string): TabId {
  const id = hash.replace(/^#/, '');
  return TABS.some((t) => t.id === id) ? (id as TabId) : 'overview';
}

/** The tab a key press moves to in the tab list (arrows wrap, Home/End), or undefined for other keys. */
export function tabAfterKey(current: TabId, key: string): TabId | undefined {
  const i = TABS.findIndex((t) => t.id === current);
  const n = TABS.length;
  const at = (j: number) => TABS[((j % n) + n) % n]!.id;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return at(i + 1);
    case 'ArrowLeft':
    case 'ArrowUp':
      return at(i - 1);
    case 'Home':
      return at(0);
    case 'End':
      return at(n - 1);
    default:
      return undefined;
  }
}

/** Whether shut-off-only work (snapshots, clone, revert) can be done now. */
export function isShutOff(state: VmState | undefined): boolean {
  return state === 'shutoff' || state === 'crashed';
}

/**
 * Whether the page's VM is gone: the server said `vm-not-found`, or the host's list (loaded) no longer
 * has it after it had been seen there (a new clone is not in a list read before it existed).
 */
export function isGone(opts: {
  notFound: boolean;
  listLoaded: boolean;
  inList: boolean;
  seen: boolean;
}): boolean {
  return opts.notFound || (opts.listLoaded && !opts.inList && opts.seen);
}
