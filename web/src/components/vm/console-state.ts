// Pure parts of the VM page's consoles (VNC and serial): their WebSocket address, and what to say
// when a session could not start or ended (docs/api.md, "Consoles").
import { withQuery } from '../../api/client';

export type ConsoleKind = 'vnc' | 'serial';

/** ws(s)://HOST/api/vms/NAME/vnc?host=ID (or /serial, with force=true to take the console over). */
export function consoleUrl(
  kind: ConsoleKind,
  host: string,
  name: string,
  loc: { protocol: string; host: string },
  force = false,
): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  const path = withQuery(`/api/vms/${encodeURIComponent(name)}/${kind}`, {
    host,
    force: force ? 'true' : undefined,
  });
  return `${scheme}://${loc.host}${path}`;
}

/** A console's state, in the words the page shows. */
export type ConsoleStatus =
  | { state: 'not-running' }
  | { state: 'connecting' }
  | { state: 'connected' }
  | {
      state: 'disconnected';
      /** Why, in plain words. */
      message: string;
      /** A serial console another session may hold: offer "Take over" (?force=true). */
      takeOver: boolean;
      /** The VM stopped (no point reconnecting until it runs again). */
      vmStopped: boolean;
    };

export function statusWord(s: ConsoleStatus): string {
  switch (s.state) {
    case 'not-running':
      return 'not running';
    case 'connecting':
      return 'connecting…';
    case 'connected':
      return 'connected';
    case 'disconnected':
      return 'disconnected';
  }
}

/** How a console's WebSocket ended: its close code and reason, and whether it had opened. */
export interface ConsoleEnd {
  code: number;
  reason: string;
  /** false: the server refused the upgrade (the browser is not told why: the HTTP answer is hidden). */
  opened: boolean;
}

/**
 * What to say when a console session ends. The server closes with 1000 and `vm-stopped` or
 * `console-closed`; a refused upgrade reaches the browser as 1006 with no reason (the 409's body is
 * not shown to scripts), so a serial console that never opened on a running VM is most likely held by
 * another session: "Take over" is offered.
 */
export function endStatus(kind: ConsoleKind, end: ConsoleEnd): ConsoleStatus & { state: 'disconnected' } {
  const done = (message: string, takeOver = false, vmStopped = false) => ({
    state: 'disconnected' as const,
    message,
    takeOver,
    vmStopped,
  });
  if (end.reason === 'vm-stopped') return done('The VM stopped.', false, true);
  if (end.reason === 'console-closed')
    return kind === 'serial'
      ? done('The serial console was closed: another session took it over, or the console ended.', true)
      : done('The VNC server ended the connection.');
  if (!end.opened)
    return kind === 'serial'
      ? done(
          'The serial console could not be opened: another session may hold it (another browser tab, or `phyllo vm console`), or the VM has none.',
          true,
        )
      : done('The server refused the console.');
  if (end.reason) return done(`The connection closed: ${end.reason}.`);
  return done(
    end.code === 1006
      ? 'The connection to the server was lost.'
      : `The connection closed (code ${end.code}).`,
  );
}

/** A display as GET /api/vms/NAME/display lists it. */
export interface DisplayEntry {
  type: string;
  address?: string;
  socket?: string;
  note?: string;
}

/**
 * Why the VNC console was refused, told from the VM's displays (GET /api/vms/NAME/display), read after
 * the refusal since the browser cannot read the refused upgrade's answer; `spice`: offer remote-viewer's
 * file (GET /api/vms/NAME/console.vv).
 */
export function vncRefusal(info: { running: boolean; displays: DisplayEntry[] } | undefined): {
  message: string;
  spice: boolean;
} {
  if (!info)
    return { message: 'The server refused the console, and its displays could not be read.', spice: false };
  if (!info.running) return { message: 'The VM is not running.', spice: false };
  if (info.displays.length === 0) return { message: 'This VM has no display.', spice: false };
  if (!info.displays.some((d) => d.type === 'vnc'))
    return {
      message: `This VM's display is ${info.displays.map((d) => d.type.toUpperCase()).join(', ')}: the browser console shows VNC only. Open it with remote-viewer.`,
      spice: info.displays.some((d) => d.type === 'spice'),
    };
  return {
    message:
      'The VM has a VNC display, but the server could not reach it (on this host it needs `phyllo serve` to run as root for a system VM).',
    spice: false,
  };
}

/** The parts of a keydown the console's way out reads. */
export type KeyLike = Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'altKey' | 'metaKey'>;

/**
 * Whether a keydown is the console's way out, Ctrl+] (as `phyllo vm console`'s escape): it gives the
 * keyboard back to the page instead of going to the guest. The key is matched by its place
 * (`BracketRight`) or by what it types (`]`), so it works on layouts that move `]`; with Alt (AltGr on
 * Windows sends Ctrl+Alt) or Meta it is the guest's.
 */
export function isKeyboardRelease(e: KeyLike): boolean {
  return e.ctrlKey && !e.altKey && !e.metaKey && (e.code === 'BracketRight' || e.key === ']');
}
