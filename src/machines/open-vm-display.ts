import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import { PhyllomeError } from '../errors.js';
import {
  openSshChannel,
  parseUri,
  sshTargetFromUri,
  type DomainState,
  type Libvirt,
  type SshEndpoint,
} from '../libvirt/index.js';
import { VmStateError } from './errors.js';
import { findVm } from './find-vm.js';
import { remoteHostOf } from './model-host-facts.js';
import { displaysFromXml, type DisplayAddress } from './vm-display.js';
import { watchStopped, type StoppedWatch } from './watch-stopped.js';

/** The VM has no graphical display at all (`--display none`): only its serial console. */
export class NoDisplayError extends PhyllomeError {
  override name = 'NoDisplayError';
  constructor(vm: string) {
    super('no-display', `VM "${vm}" has no graphical display.`, {
      hint: `Its serial console: phyllo vm console ${vm} (GET /api/vms/${vm}/serial in the API).`,
    });
  }
}

/** The VM's display is not VNC (SPICE), so the VNC console proxy (for noVNC) cannot carry it. */
export class DisplayNotVncError extends PhyllomeError {
  override name = 'DisplayNotVncError';
  constructor(vm: string, type: string) {
    super(
      'display-not-vnc',
      `VM "${vm}" shows a ${type.toUpperCase()} display, which the VNC console proxy (for noVNC) cannot carry.`,
      {
        hint:
          type === 'spice'
            ? `Open it in remote-viewer: GET /api/vms/${vm}/console.vv gives its connection file (phyllo vm display ${vm} its address).`
            : `See its address with: phyllo vm display ${vm}`,
      },
    );
  }
}

/** The display's listener could not be reached from here (permissions, refused, gone). */
export class DisplayUnreachableError extends PhyllomeError {
  override name = 'DisplayUnreachableError';
  constructor(vm: string, where: string, why: string, hint: string, cause?: unknown) {
    super('display-unreachable', `Could not reach the display of VM "${vm}" at ${where}: ${why}`, {
      hint,
      cause,
    });
  }
}

/**
 * The VM's host is reached over libvirt's TCP or TLS transport: its display listens on that host only
 * (its loopback address or a UNIX socket), and without SSH nothing here can reach it.
 */
export class DisplayNeedsSshError extends PhyllomeError {
  override name = 'DisplayNeedsSshError';
  constructor(vm: string, host: string, uri: string) {
    super(
      'display-needs-ssh',
      `The display of VM "${vm}" listens on ${host} only, and ${uri} reaches that host without SSH, so it cannot be reached from here.`,
      {
        hint: `Connect to that host over SSH (qemu+ssh://${host}/system): its display is reached through the same SSH login.`,
      },
    );
  }
}

export interface VmDisplayStream {
  name: string;
  /** The display's listener, as the VM's host sees it (a UNIX socket or an address and port). */
  display: DisplayAddress;
  /** Bytes to and from the display server (for VNC: RFB, the server speaks first). */
  stream: Duplex;
  /** libvirt's "stopped" event for the VM. */
  watch: StoppedWatch;
}

/** A VM's displays from its live XML, as its own host sees them (`here`) and as this machine does (`away`). */
export async function liveDisplays(lv: Libvirt, name: string) {
  const dom = await findVm(lv, name);
  const [xml, { state }] = await Promise.all([dom.xml(), dom.state()]);
  const remote = remoteHostOf(lv.requestedUri);
  return {
    dom,
    state,
    remote,
    here: displaysFromXml(xml, undefined),
    away: displaysFromXml(xml, remote),
  };
}

/** A display exists only while the VM runs (or is paused): a typed refusal otherwise. */
export function requireDisplayState(vm: string, state: DomainState): void {
  if (state === 'shutoff' || state === 'crashed')
    throw new VmStateError(
      vm,
      state,
      'its display exists only while it runs',
      `Start it: phyllo vm start ${vm}`,
    );
}

/** The VM's VNC listener, from its live XML; a typed error when there is none to reach. */
async function vncListener(lv: Libvirt, name: string) {
  const { dom, state, here } = await liveDisplays(lv, name);
  const vnc = here.find((d) => d.type === 'vnc');
  if (!vnc) throw here[0] ? new DisplayNotVncError(dom.name, here[0].type) : new NoDisplayError(dom.name);
  requireDisplayState(dom.name, state);
  const to: SshEndpoint | undefined = vnc.socket
    ? { socket: vnc.socket }
    : vnc.host !== undefined && vnc.port !== undefined
      ? { host: vnc.host, port: vnc.port }
      : undefined;
  if (!to)
    throw new DisplayUnreachableError(
      dom.name,
      'its host',
      vnc.note ?? 'the display has no listener',
      'Give it a VNC display on a UNIX socket or an address (phyllo os explain shows the model’s choice).',
    );
  return { dom, display: vnc, to };
}

const where = (to: SshEndpoint): string => ('socket' in to ? to.socket : `${to.host}:${to.port}`);

/** A local connection to the listener, once connected; errors typed. */
function connectLocal(vm: string, to: SshEndpoint): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const sock = 'socket' in to ? createConnection({ path: to.socket }) : createConnection(to);
    sock.once('connect', () => {
      sock.removeAllListeners('error');
      resolve(sock);
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      const denied = err.code === 'EACCES' || err.code === 'EPERM';
      reject(
        new DisplayUnreachableError(
          vm,
          where(to),
          denied ? `this user (uid ${process.getuid?.() ?? '?'}) may not open it` : err.message,
          denied
            ? 'libvirt keeps a system VM’s display socket where only root can open it: run phyllo serve as root (or use a session VM of this user).'
            : `The VM may have stopped just now: check with phyllo vm info ${vm}.`,
          err,
        ),
      );
    });
  });
}

/**
 * Resolves once the stream has data buffered (the first chunk is put back), rejects if it fails or
 * ends first: a VNC server speaks first, so this tells a working channel (SSH and netcat included)
 * from one that failed, before anything is promised to the client.
 */
function firstData(stream: Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      stream.off('data', onData);
      stream.off('error', onError);
      stream.off('end', onEnd);
    };
    const onData = (chunk: Buffer) => {
      done();
      stream.pause();
      stream.unshift(chunk);
      resolve();
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onEnd = () => {
      done();
      reject(new Error('the display server closed the connection before it spoke'));
    };
    stream.on('data', onData);
    stream.once('error', onError);
    stream.once('end', onEnd);
  });
}

/**
 * Opens a byte stream to a running VM's VNC server, wherever its host is: on this host straight to
 * the UNIX socket or loopback port from the live XML; on a `qemu+ssh://` host through that host's SSH
 * transport (the same ssh options as the libvirt connection, netcat there), so the display never
 * needs a port reachable from outside; over libvirt's TCP/TLS transports a typed refusal. (libvirt's
 * virDomainOpenGraphicsFD would hand over a connected descriptor instead, but only over a local UNIX
 * connection with descriptor passing, which neither Node's sockets nor a remote transport offer.)
 * The stream is returned once the server has spoken; the caller closes `watch` and the stream.
 * The live XML is read without its secure parts: a VNC password never passes through here.
 */
export async function openVmVnc(lv: Libvirt, name: string): Promise<VmDisplayStream> {
  const { dom, display, to } = await vncListener(lv, name);
  const watch = await watchStopped(lv, dom);
  let stream: Duplex | undefined;
  try {
    const remote = remoteHostOf(lv.requestedUri);
    if (remote === undefined) stream = await connectLocal(dom.name, to);
    else {
      const uri = parseUri(lv.requestedUri);
      if (uri.transport !== 'ssh') throw new DisplayNeedsSshError(dom.name, remote, lv.requestedUri);
      stream = await openSshChannel(
        sshTargetFromUri(uri),
        to,
        `The display listens on ${where(to)} on ${remote}: ssh there must work non-interactively, with netcat (nc) installed.`,
      );
    }
    const s = stream;
    // The bridge watches the stream's end; an error before it is attached must not go unhandled.
    s.on('error', () => undefined);
    await firstData(s).catch((err: unknown) => {
      throw new DisplayUnreachableError(
        dom.name,
        remote === undefined ? where(to) : `${where(to)} on ${remote}`,
        err instanceof Error ? err.message : String(err),
        (err instanceof PhyllomeError ? err.hint : undefined) ??
          `The VM may have stopped just now: check with phyllo vm info ${dom.name}.`,
        err,
      );
    });
    return { name: dom.name, display, stream: s, watch };
  } catch (err) {
    stream?.destroy();
    watch.close();
    throw err;
  }
}
