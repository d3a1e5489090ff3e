// The VM page's live charts: the last ten minutes of CPU, memory, disk and network I/O from the per-second
// stats the live feed brings (live.subscribe; the server sends its kept history first). uPlot and its
// CSS are imported when this mounts; each new sample is one setData per chart.
import type uPlot from 'uplot';
import { useEffect, useMemo, useRef, useState } from 'react';
import { bytes, isActive, percent } from '../../format';
import { live, useStore } from '../../store';
import { statsKey } from '../../store/state';
import { chartColumns, chartData, currentValue, niceMax, xRange, type ChartColumns } from './chart-data';

type UPlotClass = typeof uPlot;
type Kind = 'percent' | 'bytes' | 'rate';

interface ChartDef {
  key: keyof ReturnType<typeof chartData>;
  title: string;
  kind: Kind;
  series: { label: string; color: string; dash?: number[] }[];
  now: (c: ChartColumns) => string;
}

const rate = (v: number | null) => (v === null ? '—' : `${bytes(v)}/s`);

const CHARTS: ChartDef[] = [
  {
    key: 'cpu',
    title: 'CPU',
    kind: 'percent',
    series: [{ label: 'CPU', color: '--chart-1' }],
    now: (c) => percent(currentValue(c.cpu)),
  },
  {
    key: 'memory',
    title: 'Memory',
    kind: 'bytes',
    series: [
      { label: 'In use', color: '--chart-2' },
      { label: 'Defined', color: '--muted', dash: [6, 4] },
    ],
    now: (c) => `${bytes(currentValue(c.memoryInUse))} of ${bytes(currentValue(c.memoryDefined))}`,
  },
  {
    key: 'disk',
    title: 'Disk I/O',
    kind: 'rate',
    series: [
      { label: 'Read', color: '--chart-2' },
      { label: 'Write', color: '--chart-3' },
    ],
    now: (c) => `read ${rate(currentValue(c.diskRead))}, write ${rate(currentValue(c.diskWrite))}`,
  },
  {
    key: 'net',
    title: 'Network I/O',
    kind: 'rate',
    series: [
      { label: 'Received', color: '--chart-1' },
      { label: 'Sent', color: '--chart-4' },
    ],
    now: (c) => `in ${rate(currentValue(c.netRx))}, out ${rate(currentValue(c.netTx))}`,
  },
];

const HEIGHT = 150;

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function useDark(): boolean {
  const [dark, setDark] = useState(() => matchMedia('(prefers-color-scheme: dark)').matches);
  useEffect(() => {
    const m = matchMedia('(prefers-color-scheme: dark)');
    const on = () => setDark(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  return dark;
}

function axisValues(kind: Kind) {
  return (_u: uPlot, splits: number[]) =>
    splits.map((v) => (kind === 'percent' ? `${v}%` : kind === 'rate' ? `${bytes(v)}/s` : bytes(v)));
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const timeValues = (_u: uPlot, splits: number[]) => splits.map((v) => clock.format(v * 1000));
/** Three lines: 0, half and the top (the top is a round number of bytes: niceMax). */
const ySplits = (_u: uPlot, _axis: number, min: number, max: number) => [min, (min + max) / 2, max];

function yRange(kind: Kind): uPlot.Range.Function {
  return (_u, _min, max) =>
    kind === 'percent'
      ? [0, Math.max(100, max ?? 0)]
      : [0, niceMax((max ?? 0) * (kind === 'bytes' ? 1.1 : 1))];
}

function Chart({
  U,
  def,
  cols,
  data,
  dark,
}: {
  U: UPlotClass;
  def: ChartDef;
  cols: ChartColumns;
  data: uPlot.AlignedData;
  dark: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const range = useRef<[number, number]>([0, 1]);
  range.current = xRange(cols, Date.now() / 1000);
  const latest = useRef(data);
  latest.current = data;

  // Made again when the colours change (light/dark); kept for every new sample.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axis = {
      stroke: cssVar('--muted'),
      grid: { stroke: cssVar('--line'), width: 1 },
      ticks: { show: false },
    };
    const u = new U(
      {
        width: Math.max(200, el.clientWidth),
        height: HEIGHT,
        scales: {
          x: { time: true, range: () => range.current },
          y: { range: yRange(def.kind) },
        },
        axes: [
          { ...axis, space: 70, values: timeValues },
          { ...axis, size: def.kind === 'percent' ? 48 : 78, values: axisValues(def.kind), splits: ySplits },
        ],
        series: [
          {},
          ...def.series.map((s) => ({
            label: s.label,
            stroke: cssVar(s.color),
            width: 2,
            ...(s.dash ? { dash: s.dash } : {}),
            spanGaps: false,
            points: { show: false },
            value: (_u: uPlot, v: number | null) =>
              v === null
                ? '—'
                : def.kind === 'percent'
                  ? percent(v)
                  : def.kind === 'rate'
                    ? rate(v)
                    : bytes(v),
          })),
        ],
        legend: { show: true, live: true },
        cursor: { drag: { x: false, y: false } },
      },
      latest.current,
      el,
    );
    plot.current = u;
    const observer = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && w !== u.width) u.setSize({ width: w, height: HEIGHT });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      u.destroy();
      plot.current = undefined;
    };
  }, [U, def, dark]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return (
    <figure className="vm-chart" data-chart={def.key} data-points={data[0].length}>
      <figcaption>
        <h3>{def.title}</h3>
        <span className="vm-chart-now">{def.now(cols)}</span>
      </figcaption>
      <div ref={box} className="vm-chart-plot" aria-hidden="true" />
    </figure>
  );
}

/** Charts of a VM (loaded only by the VM page, with React.lazy). */
export function VmCharts({ host, name }: { host: string; name: string }) {
  useEffect(() => live.subscribe(host, name), [host, name]);
  const samples = useStore((s) => s.stats[statsKey(host, name)]);
  const cols = useMemo(() => chartColumns(samples ?? []), [samples]);
  const data = useMemo(() => chartData(cols), [cols]);
  const [U, setU] = useState<UPlotClass | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const dark = useDark();
  useEffect(() => {
    let cancelled = false;
    Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')])
      .then(([m]) => !cancelled && setU(() => m.default))
      .catch((err: unknown) => !cancelled && setLoadError(err instanceof Error ? err.message : String(err)));
    return () => {
      cancelled = true;
    };
  }, []);
  const last = samples?.at(-1);
  return (
    <section className="vm-charts" aria-label={`Charts of ${name}`} data-samples={samples?.length ?? 0}>
      <p className="muted vm-charts-note">
        The last ten minutes, one sample a second.
        {samples === undefined ? ' Waiting for the first samples…' : ''}
        {last && !isActive(last.state) ? ` ${name} is not running now: gaps are when it was not.` : ''}
      </p>
      {loadError ? (
        <p className="error-box" role="alert">
          The chart code could not be loaded: {loadError}
        </p>
      ) : null}
      <div className="vm-chart-grid">
        {U
          ? CHARTS.map((def) => (
              <Chart key={def.key} U={U} def={def} cols={cols} data={data[def.key]} dark={dark} />
            ))
          : null}
      </div>
    </section>
  );
}
