import type { Diagnosis } from '../../machines/diagnose-vm.js';

/** A diagnosis as a person reads it: each finding with what to do, then the QEMU log's end. */
export function renderDiagnosis(d: Diagnosis): string {
  const lines: string[] = [];
  const problems = d.findings.filter((f) => f.severity === 'problem');
  lines.push(
    problems.length
      ? `VM "${d.vm}" on ${d.host} (${d.state}): ${problems.length} problem${problems.length > 1 ? 's' : ''} found.`
      : `VM "${d.vm}" on ${d.host} (${d.state}): nothing wrong found.`,
  );
  for (const f of d.findings) {
    lines.push(`${f.severity === 'problem' ? '✗' : '!'} ${f.summary}.`);
    if (f.detail) lines.push(`    ${f.detail}`);
    lines.push(`  → ${f.fix}.`);
  }
  if (d.qemuLog.tail !== undefined) {
    lines.push(`QEMU log (${d.qemuLog.path}), its end:`);
    for (const l of d.qemuLog.tail.split('\n')) lines.push(`    ${l}`);
  } else lines.push(`QEMU log: ${d.qemuLog.path} (${d.qemuLog.note ?? ''})`);
  return lines.join('\n');
}
