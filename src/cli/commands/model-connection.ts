import { defaultUri, isLocal, parseUri, SESSION_URI } from '../../libvirt/index.js';
import { SessionAsRootError, SessionUriMismatchError } from '../../machines/errors.js';

/**
 * The libvirt URI `os explain` / `vm create` use. Without `--session`: `--connect`, else the default
 * (`PHYLLO_CONNECT`, `qemu:///system` for root, `qemu:///session` otherwise). With `--session`: a
 * session daemon for real: `qemu:///session` unless `--connect`/`PHYLLO_CONNECT` names another
 * session URI; any other URI is an error naming both, and root on this machine is refused (its
 * qemu:///session is the system daemon).
 */
export function modelConnectionUri(
  connectFlag: string | undefined,
  session: boolean,
  env: NodeJS.ProcessEnv = process.env,
  uid: number = process.getuid?.() ?? 0,
): string {
  if (!session) return connectFlag ?? defaultUri(env, uid);
  const fromEnv = env.PHYLLO_CONNECT ? env.PHYLLO_CONNECT : undefined;
  const given = connectFlag ?? fromEnv;
  const uri = given ?? SESSION_URI;
  const parsed = parseUri(uri);
  if (parsed.path !== '/session')
    throw new SessionUriMismatchError(
      connectFlag !== undefined ? `--connect ${uri}` : `PHYLLO_CONNECT=${uri}`,
      uri,
    );
  if (isLocal(parsed) && uid === 0) throw new SessionAsRootError();
  return uri;
}
