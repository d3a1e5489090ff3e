import type { CommandSpec, OptionSpec } from './command.js';
import { modelFlags } from './commands/os-model-options.js';

export const connectOption = {
  connect: {
    type: 'string',
    short: 'c',
    value: 'URI',
    default: '$PHYLLO_CONNECT, else qemu:///system for root and qemu:///session otherwise',
    description: 'The libvirt daemon to talk to (qemu+ssh://user@host/system works too)',
  },
} satisfies Record<string, OptionSpec>;

export const rootOption = {
  root: {
    type: 'string',
    value: 'DIR',
    default: '/',
    description: 'Read the host probes below DIR (DIR/proc, DIR/sys, …) instead of the live host',
    complete: 'dir',
  },
} satisfies Record<string, OptionSpec>;

const retestOption = {
  retest: {
    type: 'boolean',
    default: 'the cached verdict',
    description: 'Boot-test KVM again instead of using the cached verdict',
  },
} satisfies Record<string, OptionSpec>;

/** The options every command takes, before or after its name. */
export const globalOptions = {
  json: {
    type: 'boolean',
    description: 'Print one JSON document on stdout (errors as {"error":{"code","message","hint"}})',
  },
  help: { type: 'boolean', short: 'h', description: 'Show help for the command' },
} satisfies Record<string, OptionSpec>;

/** Taken only without a command: `phyllo --version`. */
export const versionOption = {
  version: { type: 'boolean', description: 'Print the version of phyllo' },
} satisfies Record<string, OptionSpec>;

const osId = {
  name: 'ID',
  required: true,
  description: 'A profile id (windows-11) or an osinfo-db short id (ubuntu22.04)',
  complete: 'os',
} as const;

/** The existing VM a command works on. */
const VM_ARG = { name: 'NAME', required: true, description: 'The VM’s name', complete: 'vm' } as const;

/** Every command Phyllome's CLI knows, in the order `phyllo --help` lists them. */
export const commands: CommandSpec[] = [
  {
    name: 'status',
    summary: 'Show the libvirt connection, versions, accelerators, whether KVM really works, and VM counts',
    options: { ...connectOption, ...rootOption, ...retestOption },
    positionals: [],
    examples: ['phyllo status', 'phyllo --connect qemu:///session status --json'],
    load: () => import('./commands/status.js'),
  },
  {
    name: 'host check',
    summary: 'Can this computer run guests well? Every readiness check, with fixes',
    options: { ...rootOption, ...retestOption },
    positionals: [],
    examples: ['phyllo host check', 'phyllo host check --retest --json'],
    load: () => import('./commands/host-check.js'),
  },
  {
    name: 'host devices',
    summary: 'IOMMU groups, GPUs and USB devices, with passthrough verdicts',
    options: { ...rootOption },
    positionals: [],
    examples: ['phyllo host devices', 'phyllo host devices --json'],
    load: () => import('./commands/host-devices.js'),
  },
  {
    name: 'os list',
    summary: 'Guest OS profiles (tuned and tested); --all adds every osinfo-db id',
    options: {
      all: { type: 'boolean', default: 'only the profiles', description: 'Also list every osinfo-db id' },
    },
    positionals: [],
    examples: ['phyllo os list', 'phyllo os list --all --json'],
    load: () => import('./commands/os-list.js'),
  },
  {
    name: 'os show',
    summary: 'What Phyllome knows about an OS: profile, devices, resources',
    positionals: [osId],
    examples: ['phyllo os show windows-11', 'phyllo os show ubuntu22.04 --json'],
    load: () => import('./commands/os-show.js'),
  },
  {
    name: 'os explain',
    summary: 'Every decision the VM model makes for an OS on this host, with its reason',
    options: { ...modelFlags, ...connectOption, ...rootOption },
    positionals: [osId],
    examples: ['phyllo os explain windows-11', 'phyllo os explain linux --memory 2G --display vnc --json'],
    load: () => import('./commands/os-explain.js'),
  },
  {
    name: 'vm create',
    summary:
      'Create a VM with the optimized model for its OS and this host (--print-xml: only print the XML)',
    options: {
      os: {
        type: 'string',
        value: 'ID',
        description: 'The guest OS: a profile id or an osinfo-db short id',
        default: "detected from the --iso medium's volume id; required without --iso",
        complete: 'os',
      },
      'print-xml': {
        type: 'boolean',
        default: 'define the VM',
        description: 'Only print the domain XML; define nothing',
      },
      ...modelFlags,
      ...connectOption,
      ...rootOption,
    },
    positionals: [
      {
        name: 'NAME',
        required: true,
        description: 'The new VM’s name: letters, digits, . _ + - (at most 63)',
      },
    ],
    examples: [
      'phyllo vm create win11 --os windows-11 --iso ~/Win11.iso --drivers ~/virtio-win.iso',
      'phyllo vm create web --os debian12 --memory 2G --disk-size 20G --display vnc',
      'phyllo vm create test --os linux --disk-size none --print-xml',
      'phyllo vm create jammy --iso ~/ubuntu-22.04.3-live-server-amd64.iso',
    ],
    load: () => import('./commands/vm-create.js'),
  },
  {
    name: 'vm edit',
    summary: "Edit a VM's domain XML in $EDITOR; redefined only if libvirt accepts it",
    options: { ...connectOption },
    positionals: [VM_ARG],
    examples: ['phyllo vm edit web', 'phyllo vm edit web --connect qemu:///session'],
    load: () => import('./commands/vm-edit.js'),
  },
  {
    name: 'vm set',
    summary: 'Change memory, vCPUs or autostart: persistent, and live where libvirt allows',
    options: {
      memory: {
        type: 'string',
        value: 'SIZE',
        default: 'unchanged',
        description: 'Guest memory: 8G, 4096M, 1.5GiB, 4GB (powers of ten) or 4096 (MiB)',
      },
      vcpus: { type: 'string', value: 'N', default: 'unchanged', description: 'Number of virtual CPUs' },
      autostart: {
        type: 'string',
        value: 'on|off',
        default: 'unchanged',
        description: 'Start the VM when the libvirt daemon starts',
        choices: ['on', 'off'],
      },
      ...connectOption,
    },
    positionals: [VM_ARG],
    examples: ['phyllo vm set web --memory 8G --vcpus 4', 'phyllo vm set web --autostart on --json'],
    load: () => import('./commands/vm-set.js'),
  },
  {
    name: 'vm media',
    summary: "Insert or eject a CD-ROM drive's medium (e.g. the virtio driver ISO), live and persistent",
    options: {
      target: {
        type: 'string',
        value: 'DEV',
        default: 'insert: the first empty drive; eject: the drive holding a medium',
        description: 'The CD-ROM drive by its target name (sdb)',
      },
      'add-drive': {
        type: 'boolean',
        default: 'off: a VM without a CD-ROM drive is an error',
        description: 'Add a SATA CD-ROM drive for the medium when the VM has none (shut off only)',
      },
      ...connectOption,
    },
    positionals: [
      VM_ARG,
      { name: 'ACTION', required: true, description: 'insert or eject', choices: ['insert', 'eject'] },
      {
        name: 'PATH',
        required: false,
        description: 'insert: the ISO (on a remote host a volume path or POOL/VOLUME there)',
        complete: 'file',
      },
    ],
    examples: ['phyllo vm media win11 insert ~/virtio-win.iso', 'phyllo vm media win11 eject --json'],
    load: () => import('./commands/vm-media.js'),
  },
  {
    name: 'vm upgrade-devices',
    summary: 'Switch a shut-off guest from SATA and e1000e to virtio once its virtio drivers are installed',
    options: {
      undo: {
        type: 'boolean',
        default: 'upgrade',
        description: 'Put back the disk and NIC devices of the last upgrade',
      },
      ...connectOption,
    },
    positionals: [VM_ARG],
    examples: ['phyllo vm upgrade-devices win11', 'phyllo vm upgrade-devices win11 --undo'],
    load: () => import('./commands/vm-upgrade-devices.js'),
  },
  {
    name: 'completion',
    summary: 'Print a shell completion script (bash, zsh or fish)',
    positionals: [
      {
        name: 'SHELL',
        required: true,
        description: 'The shell the script is for',
        choices: ['bash', 'zsh', 'fish'],
      },
    ],
    examples: [
      'phyllo completion bash > /etc/bash_completion.d/phyllo',
      'phyllo completion zsh > "${fpath[1]}/_phyllo"',
      'phyllo completion fish > ~/.config/fish/completions/phyllo.fish',
    ],
    load: () => import('./commands/completion.js'),
  },
  {
    name: '__complete',
    summary: 'What the completion scripts call: candidates for a command line, or the VM names',
    hidden: true,
    options: { ...connectOption },
    positionals: [
      { name: 'WHAT', required: true, description: 'words or vms', choices: ['words', 'vms'] },
      {
        name: 'WORD',
        required: false,
        variadic: true,
        description: 'words: the command line after `phyllo`, up to the word being completed',
      },
    ],
    examples: ['phyllo __complete vms --connect qemu:///session', 'phyllo __complete words -- vm cr'],
    load: () => import('./commands/complete.js'),
  },
];
