/**
 * The Content-Disposition of a download: a browser saves it under `filename`. A name libvirt holds may
 * carry anything but `/`, so the plain `filename` keeps only characters every browser and file system
 * takes (others become `_`), and `filename*` (RFC 6266, UTF-8) carries the name as it is.
 */
export function attachment(filename: string): string {
  const plain = filename.replace(/[^A-Za-z0-9._+-]/g, '_');
  if (plain === filename) return `attachment; filename="${plain}"`;
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${plain}"; filename*=UTF-8''${encoded}`;
}

/** What an exported bundle is saved as: `NAME.phyllo.tar`, `.tar.zst` when compressed. */
export function bundleFileName(vm: string, compressed: boolean): string {
  return `${vm}.phyllo.tar${compressed ? '.zst' : ''}`;
}
