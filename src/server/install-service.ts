import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const UNIT_NAME = 'phyllome.service';

/** One ExecStart word, quoted as systemd reads it: `%` and `$` doubled, quotes and backslashes escaped. */
export function systemdWord(word: string): string {
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped) ? escaped : `"${escaped.replace(/(["\\])/g, '\\$1')}"`;
}

export interface UnitOptions {
  /** bin/phyllo, absolute. */
  phyllo: string;
  /** The directory of the Node.js that runs it (put first on PATH, so the unit uses the same one). */
  nodeDir: string;
  /** `serve`'s options, as words (`--listen`, `127.0.0.1:8006`, …). */
  args: string[];
  /** A user unit (systemd --user) rather than a system one. */
  user: boolean;
  /** The home the server keeps its token under (HOME for the unit). */
  home: string;
  /** Phyllome's README, absolute (the unit's Documentation=). */
  readme: string;
}

/** The unit that runs `phyllo serve` at boot with the same options. */
export function serviceUnit(o: UnitOptions): string {
  const exec = [o.phyllo, 'serve', ...o.args].map(systemdWord).join(' ');
  return [
    '[Unit]',
    'Description=Phyllome: API and web UI for the VMs of this host (phyllo serve)',
    `Documentation=${systemdWord(`file://${o.readme}`)}`,
    ...(o.user
      ? []
      : ['After=network-online.target libvirtd.service virtqemud.socket', 'Wants=network-online.target']),
    '',
    '[Service]',
    'Type=simple',
    `Environment=${systemdWord(`PATH=${o.nodeDir}:/usr/local/bin:/usr/bin:/bin`)}`,
    `Environment=${systemdWord(`HOME=${o.home}`)}`,
    `ExecStart=${exec}`,
    'Restart=on-failure',
    'RestartSec=2',
    'NoNewPrivileges=yes',
    '',
    '[Install]',
    `WantedBy=${o.user ? 'default.target' : 'multi-user.target'}`,
    '',
  ].join('\n');
}

/** Where the unit goes: /etc/systemd/system for root, else the user's systemd directory. */
export function defaultUnitDir(uid: number = process.getuid?.() ?? 0, home: string = homedir()): string {
  return uid === 0 ? '/etc/systemd/system' : join(home, '.config', 'systemd', 'user');
}

export interface InstalledService {
  path: string;
  /** The commands that enable and start it. */
  enable: string[];
}

/** Writes the unit (whole or not at all: a temporary file renamed into place) and says how to enable it. */
export function installService(unitDir: string, o: UnitOptions): InstalledService {
  const path = join(unitDir, UNIT_NAME);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, serviceUnit(o), { mode: 0o644 });
  renameSync(tmp, path);
  const ctl = o.user ? 'systemctl --user' : 'systemctl';
  return {
    path,
    enable: [
      `${ctl} daemon-reload`,
      `${ctl} enable --now ${UNIT_NAME}`,
      ...(o.user
        ? [`loginctl enable-linger ${process.env.USER ?? '$USER'}  # run it at boot, before you log in`]
        : []),
    ],
  };
}
