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
        description: 'The guest OS: a profile id or an osinfo-db short id (required)',
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
    ],
    load: () => import('./commands/vm-create.js'),
  },
  {
    name: 'vm clone',
    summary:
      'Clone a shut-off VM (linked: both get an overlay on its frozen disk), NVRAM and TPM state copied',
    options: {
      full: {
        type: 'boolean',
        default: 'a linked clone',
        description: 'Copy the disks (sparse-aware, with progress) instead of sharing a frozen base',
      },
      'new-tpm': {
        type: 'boolean',
        default: 'a copy of the source’s TPM state',
        description: 'Give the clone a fresh TPM instead of a copy (a new TPM identity)',
      },
      ...connectOption,
    },
    positionals: [
      { name: 'SRC', required: true, description: 'The VM to clone (shut off)', complete: 'vm' },
      {
        name: 'DST',
        required: true,
        description: 'The new VM’s name: letters, digits, . _ + - (at most 63)',
      },
    ],
    examples: [
      'phyllo vm clone win11 win11-test',
      'phyllo vm clone web web2 --new-tpm --json',
      'phyllo vm clone web web-copy --full',
    ],
    load: () => import('./commands/vm-clone.js'),
  },
  {
    name: 'vm delete',
    summary: 'Delete a VM with its own disks, NVRAM, TPM state and snapshots; never what another VM uses',
    options: {
      'keep-disks': {
        type: 'boolean',
        default: 'delete its own disks',
        description: 'Keep every disk image',
      },
      force: { type: 'boolean', default: 'refuse a running VM', description: 'Power a running VM off first' },
      'delete-images': {
        type: 'boolean',
        default: 'keep them',
        description: 'Also delete images you brought with vm create --disk-image',
      },
      ...connectOption,
    },
    positionals: [{ name: 'NAME', required: true, description: 'The VM to delete', complete: 'vm' }],
    examples: ['phyllo vm delete web', 'phyllo vm delete web --force --json'],
    load: () => import('./commands/vm-delete.js'),
  },
  {
    name: 'vm snapshot',
    summary: 'Snapshots of a shut-off VM that restore its disks, UEFI variables and TPM state',
    options: { ...connectOption },
    positionals: [
      {
        name: 'ACTION',
        required: true,
        description: 'create, list, revert or delete',
        choices: ['create', 'list', 'revert', 'delete'],
      },
      { name: 'NAME', required: true, description: 'The VM', complete: 'vm' },
      { name: 'SNAP', required: false, description: 'The snapshot (all but list)' },
    ],
    examples: [
      'phyllo vm snapshot create win11 before-update',
      'phyllo vm snapshot list win11 --json',
      'phyllo vm snapshot revert win11 before-update',
      'phyllo vm snapshot delete win11 before-update',
    ],
    load: () => import('./commands/vm-snapshot.js'),
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
