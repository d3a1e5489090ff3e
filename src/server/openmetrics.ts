/**
 * OpenMetrics text exposition (what Prometheus scrapes): one `# TYPE`/`# HELP` per metric family,
 * samples with escaped label values, counters' samples ending in `_total`, and `# EOF` last.
 */
export interface MetricFamily {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  unit?: string;
  samples: { labels: Record<string, string>; value: number }[];
}

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function value(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

export function renderOpenMetrics(families: MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# TYPE ${f.name} ${f.type}`);
    if (f.unit) out.push(`# UNIT ${f.name} ${f.unit}`);
    out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    const suffix = f.type === 'counter' ? '_total' : '';
    for (const s of f.samples) out.push(`${f.name}${suffix}${labels(s.labels)} ${value(s.value)}`);
  }
  out.push('# EOF');
  return out.join('\n') + '\n';
}
