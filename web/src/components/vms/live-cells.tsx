import { memo } from 'react';
import { bytes, percent } from '../../format';
import { useStore } from '../../store';
import { statsKey } from '../../store/state';
import type { StatsSample } from '../../api/types';
import { cpuSeries, latest, memorySeries } from '../../vms/sparkline';
import { Sparkline } from './sparkline';

const none: StatsSample[] = [];

/**
 * The CPU and memory-in-use cells of a running VM: the newest per-second sample (the list's value
 * until the first one comes) and a sparkline of the last minute. Only these cells re-render each second.
 */
export const LiveCells = memo(function LiveCells({
  host,
  name,
  cpuPercent,
  memoryInUseBytes,
  memoryBytes,
}: {
  host: string;
  name: string;
  cpuPercent: number | null;
  memoryInUseBytes: number | null;
  memoryBytes: number | null;
}) {
  const samples = useStore((s) => s.stats[statsKey(host, name)] ?? none);
  const cpu = cpuSeries(samples);
  const mem = memorySeries(samples);
  const cpuNow = latest(cpu) ?? cpuPercent;
  const memNow = latest(mem) ?? memoryInUseBytes;
  // QEMU's resident memory can pass the guest's size: the scale is whichever is larger.
  let memMax = samples.at(-1)?.memoryBytes ?? memoryBytes ?? 0;
  for (const v of mem) if (v !== null && v > memMax) memMax = v;
  return (
    <>
      <td className="c-cpu num" data-label="CPU">
        <span className="live-value">
          <Sparkline values={cpu} max={100} />
          <span>{percent(cpuNow)}</span>
        </span>
      </td>
      <td className="c-memuse num" data-label="Mem">
        <span className="live-value">
          <Sparkline values={mem} max={memMax} />
          <span>{bytes(memNow)}</span>
        </span>
      </td>
    </>
  );
});
