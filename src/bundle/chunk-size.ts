/**
 * How many bytes a bundle's data is read in: a disk's segments when exporting, the bundle file when
 * importing. 1 MiB: on the machines Phyllome is built on (a 2-core nested VM), a 1 GiB import from a
 * file took 1.78–1.85 s with 1 MiB reads against 2.36–4.05 s with 4 MiB, 1.89–1.91 s with 512 KiB
 * and 2.13–2.19 s with 2 MiB (whole `vm import` processes, taking turns; `cp` 0.85–0.90 s). The
 * export came out the same within its spread (1.83–2.0 s). A chunk is read, hashed and written while
 * it is still in the CPU's cache; 4 MiB is not.
 *
 * It is also the slot size of the local file-to-file copy (file-copy.ts), whose direct reads and
 * writes do not pass through the CPU's cache: there 8 slots of 4 MiB came out the same as 16 of 1 MiB
 * (whole `vm import`: 2.85–3.68 s against 2.95–3.52; `vm export --compress none`: 2.82–4.07 against
 * 3.11–4.31; 5 rounds taking turns, the cache dropped first; `cp --sparse=always` + `sync` 6.1–7.1 s).
 */
export const BUNDLE_CHUNK = 1 << 20;
