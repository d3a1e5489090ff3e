import type { CommandSpec } from './command.js';

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
];
