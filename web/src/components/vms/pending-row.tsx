import { memo } from 'react';
import type { PendingRow as Pending } from '../../vms/list';
import { COLUMNS } from './vm-row';

/** A VM being created or cloned: shown at once with its job's progress, until the real domain is listed. */
export const PendingRow = memo(function PendingRow({ row }: { row: Pending }) {
  const verb = row.job.kind === 'clone' ? 'Cloning' : 'Creating';
  const pct = row.fraction === undefined ? undefined : Math.round(row.fraction * 100);
  return (
    <tr className="vm-row pending" data-pending={row.job.id} data-host={row.host}>
      <td className="c-icon">
        <span className="os-icon pending-icon" aria-hidden="true" />
      </td>
      <td className="c-name">{row.label}</td>
      <td className="c-state">
        <span className="state state-pending">
          {row.job.kind === 'clone' ? 'being cloned' : 'being created'}
        </span>
      </td>
      <td className="c-progress" colSpan={COLUMNS - 3}>
        <span className="row-job">
          <progress
            className="progress"
            aria-label={`${verb} ${row.label}${pct === undefined ? '' : `: ${pct}%`}`}
            {...(row.fraction === undefined ? {} : { value: row.fraction, max: 1 })}
          />
          <span className="muted">
            {row.job.progress.phase}
            {pct === undefined ? '' : ` · ${pct}%`}
          </span>
        </span>
      </td>
    </tr>
  );
});
