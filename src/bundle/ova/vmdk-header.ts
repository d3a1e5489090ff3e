/**
 * The first sector of a disk file from an OVA, checked before qemu-img opens it: it must be a hosted
 * sparse extent (`KDMV`, the streamOptimized or monolithicSparse VMDK VirtualBox and VMware export)
 * that holds its data itself. A text descriptor, or a sparse header with no capacity (qemu then reads
 * its embedded descriptor's extent lines), could name any file of this host as the disk's data.
 */
import { OvaInvalidError } from './errors.js';

export const VMDK_HEADER_BYTES = 512;

export interface VmdkHeader {
  version: number;
  capacityBytes: number;
  grainSectors: number;
}

/** Reads and checks the header; `name` is the OVA's file name, for messages. */
export function checkVmdkHeader(head: Buffer, name: string): VmdkHeader {
  const refuse = (why: string) => new OvaInvalidError(`Its disk ${name} is refused: ${why}`);
  if (head.length < VMDK_HEADER_BYTES) throw refuse('it is shorter than a VMDK header');
  const magic = head.toString('latin1', 0, 4);
  if (/^#\s*Disk Desc/i.test(head.toString('latin1', 0, 32)))
    throw refuse('it is a VMDK descriptor, which names other files as its data');
  if (magic === 'COWD') throw refuse('it is an ESX sparse (COWD) extent, which OVAs do not use');
  if (magic !== 'KDMV') throw refuse('it is not a sparse VMDK (no "KDMV" header)');
  const version = head.readUInt32LE(4);
  if (version < 1 || version > 3) throw refuse(`its VMDK version ${version} is not 1, 2 or 3`);
  const sectors = head.readBigUInt64LE(12);
  if (sectors === 0n)
    throw refuse(
      'its header has no capacity, so its data would come from the extent files its descriptor names',
    );
  const capacityBytes = Number(sectors) * 512;
  if (!Number.isSafeInteger(capacityBytes)) throw refuse('its capacity is beyond any disk');
  const grainSectors = Number(head.readBigUInt64LE(20));
  if (grainSectors < 1 || (grainSectors & (grainSectors - 1)) !== 0)
    throw refuse(`its grain size of ${grainSectors} sectors is not a power of two`);
  return { version, capacityBytes, grainSectors };
}
