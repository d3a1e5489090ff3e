import { sparkPath } from '../../vms/sparkline';

const W = 48;
const H = 18;

/** A small line of the last minute (decorative: the number beside it says the value). */
export function Sparkline({ values, max }: { values: readonly (number | null)[]; max: number }) {
  const d = sparkPath(values, W, H, max);
  return (
    <svg
      className="spark"
      width={W}
      height={H}
      viewBox={`-1 -1 ${W + 2} ${H + 2}`}
      aria-hidden="true"
      focusable="false"
      preserveAspectRatio="none"
    >
      <rect className="spark-bg" x={-1} y={-1} width={W + 2} height={H + 2} rx={2} />
      {d ? <path d={d} /> : null}
    </svg>
  );
}
