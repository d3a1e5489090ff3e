/** The family of an OS id (`win11`, `debian12`, `fedora40`, `ubuntu24.04`…), for its icon. */
export function osFamily(os: string | null | undefined): string {
  const id = (os ?? '').toLowerCase();
  if (!id) return 'unknown';
  if (id.startsWith('win')) return 'windows';
  for (const f of [
    'debian',
    'ubuntu',
    'fedora',
    'arch',
    'alpine',
    'opensuse',
    'rhel',
    'centos',
    'rocky',
    'alma',
    'freebsd',
    'openbsd',
    'nixos',
    'macos',
  ])
    if (id.startsWith(f)) return f;
  if (id.startsWith('linux') || id.includes('linux')) return 'linux';
  return 'other';
}

const COLORS: Record<string, string> = {
  windows: '#2b6cb0',
  debian: '#c70036',
  ubuntu: '#e95420',
  fedora: '#294172',
  arch: '#1793d1',
  alpine: '#0d597f',
  opensuse: '#3a9b3d',
  linux: '#333d36',
  freebsd: '#ab2b28',
};

/** A small round badge with the OS family's initial (no external image: the UI works offline). */
export function OsIcon({ os }: { os: string | null | undefined }) {
  const family = osFamily(os);
  const letter =
    family === 'unknown'
      ? '?'
      : family === 'other'
        ? (os ?? '?').slice(0, 1).toUpperCase()
        : family.slice(0, 1).toUpperCase();
  return (
    <span
      className="os-icon"
      role="img"
      aria-label={os ? `OS: ${os}` : 'OS unknown'}
      title={os ?? 'unknown OS'}
      style={{ background: COLORS[family] ?? '#6b7280' }}
    >
      {letter}
    </span>
  );
}
