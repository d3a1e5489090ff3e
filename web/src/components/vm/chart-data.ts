// Pure: a VM's stats samples (one a second, oldest first, as the store keeps them) as the columns
// uPlot draws: x in Unix seconds, one array per series, null where there is nothing to draw (the VM
// was not running, or no samples came), so the lines break there instead of joining across.
import type { StatsSample } from '../../api/types';
import { isActive } from '../../format';

/** The charts show the last ten minutes. */
export const WINDOW_SECONDS = 600;
/** Two samples further apart than this have a gap between them (samples come each second). */
export const GAP_SECONDS = 3.5;

type Column = (number | null)[];

export interface ChartColumns {
  /** Unix seconds, increasing. */
  x: number[];
  cpu: Column;
  memoryInUse: Column;
  memoryDefined: Column;
  diskRead: Column;
  diskWrite: Column;
  netRx: Column;
  netTx: Column;
}

const SERIES = [
  ['cpu', 'cpuPercent'],
  ['memoryInUse', 'memoryInUseBytes'],
  ['memoryDefined', 'memoryBytes'],
  ['diskRead', 'diskReadBytesPerSecond'],
  ['diskWrite', 'diskWriteBytesPerSecond'],
  ['netRx', 'netRxBytesPerSecond'],
  ['netTx', 'netTxBytesPerSecond'],
] as const satisfies readonly (readonly [keyof Omit<ChartColumns, 'x'>, keyof StatsSample])[];

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The columns of the last `windowSeconds` before the newest sample. A sample of a VM that was not
 * running has nulls; a gap of more than `gapSeconds` between two samples gets one all-null point a
 * second after the earlier one. Samples whose time cannot be read, or that do not move forward, are
 * left out.
 */
export function chartColumns(
  samples: readonly StatsSample[],
  windowSeconds = WINDOW_SECONDS,
  gapSeconds = GAP_SECONDS,
): ChartColumns {
  const cols: ChartColumns = {
    x: [],
    cpu: [],
    memoryInUse: [],
    memoryDefined: [],
    diskRead: [],
    diskWrite: [],
    netRx: [],
    netTx: [],
  };
  const times = samples.map((s) => Date.parse(s.at) / 1000);
  const newest = times.reduce((m, t) => (Number.isFinite(t) && t > m ? t : m), -Infinity);
  if (!Number.isFinite(newest)) return cols;
  const from = newest - windowSeconds;
  let last = -Infinity;
  samples.forEach((s, i) => {
    const t = times[i]!;
    if (!Number.isFinite(t) || t <= last || t < from) return;
    if (last > -Infinity && t - last > gapSeconds) {
      cols.x.push(last + 1);
      for (const [k] of SERIES) cols[k].push(null);
    }
    last = t;
    cols.x.push(t);
    const running = isActive(s.state);
    for (const [k, field] of SERIES) cols[k].push(running ? finite(s[field]) : null);
  });
  return cols;
}

/** The four charts' data, as uPlot takes it: [x, series…]. */
export function chartData(c: ChartColumns) {
  return {
    cpu: [c.x, c.cpu],
    memory: [c.x, c.memoryInUse, c.memoryDefined],
    disk: [c.x, c.diskRead, c.diskWrite],
    net: [c.x, c.netRx, c.netTx],
  } satisfies Record<string, [number[], ...Column[]]>;
}

/** The x range shown: always ten minutes wide, ending at the newest sample (or at `nowSeconds`). */
export function xRange(
  c: ChartColumns,
  nowSeconds: number,
  windowSeconds = WINDOW_SECONDS,
): [number, number] {
  const end = c.x.length ? c.x[c.x.length - 1]! : nowSeconds;
  return [end - windowSeconds, end];
}

/** The newest point's value (the text above a chart): null when the VM was not running then. */
export function currentValue(col: Column): number | null {
  return col.length ? (col[col.length - 1] ?? null) : null;
}

/** The top of a bytes/s axis: a round number at or above the largest value (at least 1 KiB/s). */
export function niceMax(max: number): number {
  if (!(max > 1024)) return 1024;
  const exp = Math.floor(Math.log2(max));
  const base = 2 ** exp;
  for (const m of [1, 1.25, 1.5, 2]) if (base * m >= max) return base * m;
  return base * 2;
}
