import type { OverheadReport } from '../host/overhead.js';
import type { VmCounters } from '../machines/vm-counters.js';
import type { MetricFamily } from './openmetrics.js';

/** The metric families of /metrics: per-VM counters of every connected host, and this host's overhead. */
export function metricFamilies(
  vms: { host: string; counters: VmCounters[] }[],
  overhead: OverheadReport | undefined,
): MetricFamily[] {
  const per = (
    name: string,
    type: MetricFamily['type'],
    help: string,
    unit: string | undefined,
    pick: (c: VmCounters) => number | null,
  ): MetricFamily => ({
    name,
    type,
    help,
    ...(unit ? { unit } : {}),
    samples: vms.flatMap(({ host, counters }) =>
      counters.flatMap((c) => {
        const v = pick(c);
        return v === null ? [] : [{ labels: { host, vm: c.name }, value: v }];
      }),
    ),
  });
  const families: MetricFamily[] = [
    {
      name: 'phyllome_vm_running',
      type: 'gauge',
      help: '1 when the VM is running or paused, else 0',
      samples: vms.flatMap(({ host, counters }) =>
        counters.map((c) => ({
          labels: { host, vm: c.name, state: c.state },
          value: c.state === 'running' || c.state === 'paused' ? 1 : 0,
        })),
      ),
    },
    per('phyllome_vm_vcpus', 'gauge', 'Virtual CPUs', undefined, (c) => c.vcpus),
    per('phyllome_vm_cpu_seconds', 'counter', 'CPU time the VM used since it started', 'seconds', (c) =>
      c.cpuTimeNs === null ? null : c.cpuTimeNs / 1e9,
    ),
    per('phyllome_vm_memory_bytes', 'gauge', 'Memory the VM is defined with', 'bytes', (c) => c.memoryBytes),
    per(
      'phyllome_vm_memory_resident_bytes',
      'gauge',
      'Host memory its QEMU holds',
      'bytes',
      (c) => c.memoryRssBytes,
    ),
    per(
      'phyllome_vm_disk_read_bytes',
      'counter',
      'Bytes read from its disks',
      'bytes',
      (c) => c.diskReadBytes,
    ),
    per(
      'phyllome_vm_disk_written_bytes',
      'counter',
      'Bytes written to its disks',
      'bytes',
      (c) => c.diskWriteBytes,
    ),
    per(
      'phyllome_vm_network_received_bytes',
      'counter',
      'Bytes its NICs received',
      'bytes',
      (c) => c.netRxBytes,
    ),
    per('phyllome_vm_network_sent_bytes', 'counter', 'Bytes its NICs sent', 'bytes', (c) => c.netTxBytes),
  ];
  if (overhead) {
    const groups = Object.entries(overhead.groups);
    families.push(
      {
        name: 'phyllome_host_memory_bytes',
        type: 'gauge',
        help: 'Memory in use on the host running phyllo serve, by who uses it',
        unit: 'bytes',
        samples: groups.map(([group, g]) => ({ labels: { group }, value: g.memoryBytes })),
      },
      {
        name: 'phyllome_host_cpu_percent',
        type: 'gauge',
        help: 'Share of all CPUs over a short sample, by who uses them',
        samples: groups.map(([group, g]) => ({ labels: { group }, value: g.cpuPercent })),
      },
      {
        name: 'phyllome_host_memory_left_for_guests_bytes',
        type: 'gauge',
        help: 'Memory guests could have: total minus what the host, libvirt and Phyllome use',
        unit: 'bytes',
        samples: [{ labels: {}, value: overhead.memory.leftForGuestsBytes }],
      },
    );
  }
  return families;
}
