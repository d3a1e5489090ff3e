// Sparklines of the per-second stats: the SVG path of the last samples, gaps where a value is missing.
import type { StatsSample } from '../api/types';

/** How many samples a sparkline shows: the last minute. */
export const SPARK_SAMPLES = 60;

/**
 * The SVG path (`d`) of `values` in a `width`×`height` box, the newest at the right edge, one step per
 * value at `width / (slots - 1)`; 0 at the bottom, `max` at the top (values above it are clipped).
 * A null or non-finite value breaks the line (the next value starts a new `M`); a lone value is a dot
 * (a zero-length line, drawn with round caps). '' when there is nothing to draw.
 */
export function sparkPath(
  values: readonly (number | null)[],
  width: number,
  height: number,
  max: number,
  slots = SPARK_SAMPLES,
): string {
  const shown = values.slice(-slots);
  if (shown.length === 0 || !(max > 0)) return '';
  const step = slots > 1 ? width / (slots - 1) : 0;
  const offset = slots - shown.length;
  const r = (n: number) => Math.round(n * 10) / 10;
  let d = '';
  let drawing = false;
  let runStart = '';
  let runLength = 0;
  const endRun = () => {
    if (runLength === 1) d += `L${runStart}`;
    runLength = 0;
  };
  shown.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      endRun();
      drawing = false;
      return;
    }
    const x = r((offset + i) * step);
    const y = r(height - (Math.min(Math.max(v, 0), max) / max) * height);
    const pt = `${x},${y}`;
    d += `${drawing ? 'L' : 'M'}${pt}`;
    if (!drawing) runStart = pt;
    drawing = true;
    runLength++;
  });
  endRun();
  return d;
}

/** The CPU % of the samples (per vCPU: 100 = all busy). */
export const cpuSeries = (samples: readonly StatsSample[]) => samples.map((s) => s.cpuPercent);

/** The memory in use of the samples. */
export const memorySeries = (samples: readonly StatsSample[]) => samples.map((s) => s.memoryInUseBytes);

/** The newest non-null value of a series. */
export function latest(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v !== null && v !== undefined && Number.isFinite(v)) return v;
  }
  return null;
}
