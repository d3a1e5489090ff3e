/**
 * The bytes of a new, empty qcow2 image (version 3, `compat=1.1`), laid out as `qemu-img create -f qcow2
 * -o compat=1.1` lays them out: 64 KiB clusters, 16-bit refcounts; cluster 0 the header, cluster 1 the
 * refcount table, cluster 2 its one refcount block, then the L1 table (all zero: nothing allocated). The
 * file ends where the L1 table does. `vm create` uploads these bytes into a new file volume instead of
 * having libvirt run `qemu-img create`, whose start-up is most of a create's time (~12 of ~15 ms).
 *
 * Only the header extension qemu-img adds for messages (the feature name table) is left out: a reader
 * needs it only to name feature bits it does not know, and none are set here.
 */

const CLUSTER_BITS = 16;
const CLUSTER = 1 << CLUSTER_BITS;
/** One L2 table (a cluster of 8-byte entries) maps this many bytes of the guest disk: 512 MiB. */
const L2_SPAN = (CLUSTER / 8) * CLUSTER;
const REFCOUNT_ORDER = 4; // 16-bit refcounts
const HEADER_LENGTH = 112; // the version 3 header with its compression type byte, padded to 8
const REFCOUNT_TABLE_AT = CLUSTER;
const REFCOUNT_BLOCK_AT = 2 * CLUSTER;
const L1_TABLE_AT = 3 * CLUSTER;

/**
 * The largest guest disk made this way: 64 TiB, an L1 table of 1 MiB (16 clusters; one refcount block
 * counts 32768). Larger disks are left to qemu-img.
 */
export const EMPTY_QCOW2_MAX_BYTES = 64 * 2 ** 40;

/**
 * An empty qcow2 image of `virtualBytes` (rounded up to 512-byte sectors, as qemu-img does).
 * Throws a RangeError for a size this layout cannot hold (see EMPTY_QCOW2_MAX_BYTES).
 */
export function emptyQcow2(virtualBytes: number): Buffer {
  if (!Number.isSafeInteger(virtualBytes) || virtualBytes < 0 || virtualBytes > EMPTY_QCOW2_MAX_BYTES)
    throw new RangeError(`No empty qcow2 layout for a disk of ${virtualBytes} bytes`);
  const size = Math.ceil(virtualBytes / 512) * 512;
  const l1Entries = Math.ceil(size / L2_SPAN);
  const l1Clusters = Math.ceil((l1Entries * 8) / CLUSTER);
  const image = Buffer.alloc(L1_TABLE_AT + l1Entries * 8);

  image.writeUInt32BE(0x514649fb, 0); // "QFI\xfb"
  image.writeUInt32BE(3, 4); // version
  // 8: backing file offset, 16: its length — none
  image.writeUInt32BE(CLUSTER_BITS, 20);
  image.writeBigUInt64BE(BigInt(size), 24);
  // 32: encryption method — none
  image.writeUInt32BE(l1Entries, 36);
  image.writeBigUInt64BE(BigInt(l1Entries > 0 ? L1_TABLE_AT : 0), 40); // a disk of 0 bytes has no L1 table
  image.writeBigUInt64BE(BigInt(REFCOUNT_TABLE_AT), 48);
  image.writeUInt32BE(1, 56); // refcount table clusters
  // 60: snapshots, 64: their table; 72, 80, 88: incompatible, compatible, autoclear features — none
  image.writeUInt32BE(REFCOUNT_ORDER, 96);
  image.writeUInt32BE(HEADER_LENGTH, 100);
  // 104: compression type zlib (0); at HEADER_LENGTH the end of the (empty) header extension list

  image.writeBigUInt64BE(BigInt(REFCOUNT_BLOCK_AT), REFCOUNT_TABLE_AT);
  // Every cluster in use — header, refcount table, refcount block, L1 table — is referenced once.
  for (let c = 0; c < 3 + l1Clusters; c++) image.writeUInt16BE(1, REFCOUNT_BLOCK_AT + 2 * c);
  return image;
}
