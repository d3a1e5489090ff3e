import { PhyllomeError } from '../errors.js';
import type { Libvirt } from '../libvirt/index.js';
import { liveDisplays, NoDisplayError, requireDisplayState } from './open-vm-display.js';
import type { DisplayAddress } from './vm-display.js';

/** The display has no address a connection file can name (a UNIX socket, or no listener). */
export class DisplayNoAddressError extends PhyllomeError {
  override name = 'DisplayNoAddressError';
  constructor(vm: string, d: DisplayAddress) {
    super(
      'display-no-address',
      `The ${d.type.toUpperCase()} display of VM "${vm}" has no network address for a connection file: ${d.socket ? `it listens on the UNIX socket ${d.socket}` : (d.note ?? 'no listener')}.`,
      {
        hint:
          d.type === 'vnc'
            ? `Reach it through the VNC console proxy (GET /api/vms/${vm}/vnc, for noVNC), or on its host: remote-viewer vnc+unix://${d.socket ?? 'SOCKET'}.`
            : `See it with: phyllo vm display ${vm}`,
      },
    );
  }
}

export interface ConnectionFile {
  name: string;
  /** `NAME.vv`, safe in a Content-Disposition header. */
  fileName: string;
  /** The file's text; it never holds a password (remote-viewer asks for one if the display has it). */
  text: string;
}

/** No line breaks or other control characters in a value: each key stays on its own line. */
const oneLine = (s: string): string => s.replace(/[\u0000-\u001f\u007f]/g, '?'); // eslint-disable-line no-control-regex

/**
 * Pure: remote-viewer's connection file (the `[virt-viewer]` key file, `.vv`) for a display with a
 * port. `here` is the display as its own host sees it, `away` as this machine does (displaysFromXml
 * with the remote host); a remote listener on loopback only keeps its loopback address, with the
 * `ssh -L` tunnel that reaches it as a comment.
 */
export function virtViewerFile(vm: string, here: DisplayAddress, away: DisplayAddress): string {
  const tunnel = away.note !== undefined;
  const host = tunnel ? here.host : away.host;
  const lines = [
    `# remote-viewer connection file for VM ${oneLine(vm)}: remote-viewer FILE.vv`,
    ...(tunnel ? [`# ${oneLine(away.note ?? '')}`] : []),
    '[virt-viewer]',
    `type=${here.type}`,
    `host=${oneLine(host ?? '127.0.0.1')}`,
    `port=${here.port}`,
    ...(here.tlsPort !== undefined ? [`tls-port=${here.tlsPort}`] : []),
    `title=${oneLine(vm)}`,
    'delete-this-file=1',
  ];
  return lines.join('\n') + '\n';
}

/**
 * The connection file for a running VM's display (SPICE first, for remote-viewer; else VNC with a
 * port). Read from the live XML without its secure parts, so no password is ever in it.
 */
export async function vmConnectionFile(lv: Libvirt, name: string): Promise<ConnectionFile> {
  const { dom, state, here, away } = await liveDisplays(lv, name);
  if (here.length === 0) throw new NoDisplayError(dom.name);
  requireDisplayState(dom.name, state);
  const i = Math.max(
    here.findIndex((d) => d.type === 'spice'),
    0,
  );
  const h = here[i]!;
  const a = away[i] ?? h;
  if (h.port === undefined) throw new DisplayNoAddressError(dom.name, h);
  return {
    name: dom.name,
    fileName: `${dom.name.replace(/[^A-Za-z0-9._+-]/g, '_')}.vv`,
    text: virtViewerFile(dom.name, h, a),
  };
}
