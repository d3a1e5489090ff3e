import { PVD_LENGTH, PVD_OFFSET, type MediumIdentity } from '../../src/catalog/osinfo-media.js';

/** A primary volume descriptor as mkisofs writes it: ids padded with blanks. */
export function pvd(ids: Partial<MediumIdentity>): Buffer {
  const b = Buffer.alloc(PVD_LENGTH, 0);
  b[0] = 1;
  b.write('CD001', 1, 'latin1');
  const put = (offset: number, len: number, v = ''): void =>
    void b.write(v.padEnd(len, ' '), offset, 'latin1');
  put(8, 32, ids.systemId);
  put(40, 32, ids.volumeId);
  put(318, 128, ids.publisherId);
  put(574, 128, ids.applicationId);
  b.writeUInt32LE(Math.ceil((ids.volumeSize ?? PVD_OFFSET + PVD_LENGTH) / 2048), 80);
  b.writeUInt16LE(2048, 128);
  return b;
}

/** The smallest file that is an ISO 9660 image with these ids (system area, then the descriptor). */
export function isoImage(ids: Partial<MediumIdentity>): Buffer {
  return Buffer.concat([Buffer.alloc(PVD_OFFSET), pvd(ids)]);
}
