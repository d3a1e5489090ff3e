import { defaultUri, isLocal, parseUri, SESSION_URI } from '../../libvirt/index.js';
import { SessionAsRootError, SessionUriMismatchError } from '../../machines/errors.js';

/**
 * The libvirt URI `os explain` / `vm create` use. Without `--session`: `--connect`, else the default
 * (`PHYLLO_CONNECT`, `qemu:///system` for root, `qemu:///session` otherwise). With `--session`: a
 * session daemon for real: `qemu:///session` unless `--connect`/`PHYLLO_CONNECT` names another
 * session URI; any other URI is an error naming both. A session URI on this machine is refused for
 * root, `--session` or not: root's qemu:///session is the system daemon, so the VM would be a system
 * VM with session settings.
 */
export function modelConnectionUri(
  connectFlag: string | undefined,
  session: boolean,
  env: NodeJS.ProcessEnv = process.env,
  uid: number = process.getuid?.() ?? 0,
): string {
  const fromEnv = env.PHYLLO_CONNECT ? env.PHYLLO_CONNECT : undefined;
  const uri = session ? (connectFlag ?? fromEnv ?? SESSION_URI) : (connectFlag ?? defaultUri(env, uid));
  const parsed = parseUri(uri);
  if (session && parsed.path !== '/session')
    throw new SessionUriMismatchError(
      connectFlag !== undefined ? `--connect ${uri}` : `PHYLLO_CONNECT=${uri}`,
      uri,
    );
  if (parsed.path === '/session' && isLocal(parsed) && uid === 0) throw new SessionAsRootError(uri);
  return uri;
}
