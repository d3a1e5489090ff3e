/**
 * How many bytes a bundle's data is read in: a disk's segments when exporting, the bundle file when
 * importing. 1 MiB: on the machines Phyllome is built on (a 2-core nested VM), a 1 GiB import from a
 * file took 1.78–1.85 s with 1 MiB reads against 2.36–4.05 s with 4 MiB, 1.89–1.91 s with 512 KiB
 * and 2.13–2.19 s with 2 MiB (whole `vm import` processes, taking turns; `cp` 0.85–0.90 s). The
 * export came out the same within its spread (1.83–2.0 s). A chunk is read, hashed and written while
 * it is still in the CPU's cache; 4 MiB is not.
 */
export const BUNDLE_CHUNK = 1 << 20;

/**
 * The read size of the local file-to-file path (file-copy.ts): one reused buffer of 128 KiB, as cp
 * uses. 1 GiB copied here: 0.95–0.98 s with 128 KiB against 2.75–2.98 s with 4 MiB buffers.
 */
export const COPY_CHUNK = 128 << 10;
