import type { CommandContext, OptionSpec } from '../command.js';
import { modelOptionsFromFlags, type ModelOptions } from '../../model/options.js';

/** The flags shared by `os explain` and `vm create`. */
export const modelFlags = {
  memory: {
    type: 'string',
    value: 'SIZE',
    default: "the OS's recommended memory",
    description: 'Guest memory: 4G, 4096M, 1.5GiB, 4GB (powers of ten) or 4096 (MiB); at least 1 MiB',
  },
  vcpus: {
    type: 'string',
    value: 'N',
    default: "the OS's recommendation, at most the host's CPUs",
    description: 'Number of virtual CPUs',
  },
  'disk-size': {
    type: 'string',
    value: 'SIZE',
    default: "the OS's recommended disk size",
    description: 'Size of the new qcow2 disk: 64G, 500M, 64 (GiB), or none for no disk',
  },
  'disk-image': {
    type: 'string',
    value: 'PATH',
    default: 'a new qcow2 disk of --disk-size',
    description: 'Use this existing disk image instead of creating one',
    complete: 'file',
  },
  iso: {
    type: 'string',
    value: 'PATH',
    default: 'no installer',
    description: 'Installer ISO to boot from (on a remote host: a volume path or POOL/VOLUME there)',
    complete: 'file',
  },
  drivers: {
    type: 'string',
    value: 'PATH',
    default: 'none: Windows installs with the devices it has drivers for',
    description: 'virtio-win driver ISO (Windows guests)',
    complete: 'file',
  },
  kernel: {
    type: 'string',
    value: 'PATH',
    default: 'boot from the disk or ISO',
    description: 'Boot this kernel directly',
    complete: 'file',
  },
  initrd: {
    type: 'string',
    value: 'PATH',
    default: 'none',
    description: 'Initramfs for --kernel',
    complete: 'file',
  },
  cmdline: {
    type: 'string',
    value: 'ARGS',
    default: 'none',
    description: 'Kernel command line for --kernel',
  },
  display: {
    type: 'string',
    value: 'KIND',
    default: 'vnc (on a UNIX socket here, loopback on a remote host)',
    description: 'Graphical console',
    choices: ['spice', 'vnc', 'none'],
  },
  network: {
    type: 'string',
    value: 'NAME',
    default: 'default, the NAT network (defined when missing); user networking for session VMs',
    description: 'libvirt network for a system VM',
  },
  session: {
    type: 'boolean',
    default: 'on for a qemu:///session connection',
    description: "A rootless VM of your user's session daemon (connects to qemu:///session; not as root)",
  },
  migratable: {
    type: 'boolean',
    default: 'off: host-passthrough under KVM',
    description: 'Prefer a CPU model that can migrate between different hosts',
  },
  'serial-log': {
    type: 'string',
    value: 'FILE',
    default: 'not logged',
    description: 'Also write the serial console to this file',
    complete: 'file',
  },
} satisfies Record<string, OptionSpec>;

/**
 * Reads the shared flags into model options. The name, sizes and counts are checked here already
 * (the model checks them again), so bad input fails before libvirt is contacted or KVM is tested.
 */
export function modelOptionsFrom(ctx: CommandContext, name: string, os: string): ModelOptions {
  return modelOptionsFromFlags(ctx.values, name, os);
}
