import type { CommandSpec } from './command.js';
import { modelFlags } from './commands/os-model-options.js';

export const connectOption = { connect: { type: 'string', short: 'c' } } as const;
export const rootOption = { root: { type: 'string' } } as const;

/** Every command Phyllome's CLI knows, in the order `phyllo --help` lists them. */
export const commands: CommandSpec[] = [
  {
    name: 'status',
    summary: 'Show the libvirt connection, versions, accelerators, whether KVM really works, and VM counts',
    options: { ...connectOption, ...rootOption, retest: { type: 'boolean' } },
    load: () => import('./commands/status.js'),
  },
  {
    name: 'host check',
    summary: 'Can this computer run guests well? Every readiness check, with fixes',
    usage: 'phyllo host check',
    options: { ...rootOption, retest: { type: 'boolean' } },
    load: () => import('./commands/host-check.js'),
  },
  {
    name: 'host devices',
    summary: 'IOMMU groups, GPUs and USB devices, with passthrough verdicts',
    usage: 'phyllo host devices',
    options: { ...rootOption },
    load: () => import('./commands/host-devices.js'),
  },
  {
    name: 'os list',
    summary: 'Guest OS profiles (tuned and tested); --all adds every osinfo-db id',
    usage: 'phyllo os list',
    options: { all: { type: 'boolean' } },
    load: () => import('./commands/os-list.js'),
  },
  {
    name: 'os show',
    summary: 'What Phyllome knows about an OS: profile, devices, resources',
    usage: 'phyllo os show ID',
    load: () => import('./commands/os-show.js'),
  },
  {
    name: 'os explain',
    summary: 'Every decision the VM model makes for an OS on this host, with its reason',
    usage: 'phyllo os explain ID',
    options: { ...modelFlags, ...connectOption, ...rootOption },
    load: () => import('./commands/os-explain.js'),
  },
  {
    name: 'vm create',
    summary:
      'Create a VM with the optimized model for its OS and this host (--print-xml: only print the XML)',
    usage: 'phyllo vm create NAME --os ID',
    options: {
      os: { type: 'string' },
      'print-xml': { type: 'boolean' },
      ...modelFlags,
      ...connectOption,
      ...rootOption,
    },
    load: () => import('./commands/vm-create.js'),
  },
];
