import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A test sshd's files in `dir`: a client key the server trusts (dir/client_key), a host key, and
 * dir/sshd_config listening on `address:port` with key logins only. Returns the config's path.
 */
export function writeSshdConfig(dir: string, address: string, port: number): string {
  const keygen = (name: string) =>
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  keygen('client_key');
  keygen('host_key');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  const cfg = [
    `Port ${port}`,
    `ListenAddress ${address}`,
    `HostKey ${join(dir, 'host_key')}`,
    'PermitRootLogin prohibit-password',
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    `PidFile ${join(dir, 'sshd.pid')}`,
  ];
  const path = join(dir, 'sshd_config');
  writeFileSync(path, cfg.join('\n') + '\n');
  return path;
}
