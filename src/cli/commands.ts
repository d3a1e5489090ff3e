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

const vmArg = {
  name: 'NAME',
  required: true,
  description: 'The VM',
  complete: 'vm',
} as const;

/** The power, console, display and diagnosis commands, in the order help lists them. */
function powerCommands(): CommandSpec[] {
  const power = (
    name: string,
    summary: string,
    exp: 'start' | 'kill' | 'reboot' | 'pause' | 'resume',
    examples: string[],
  ): CommandSpec => ({
    name: `vm ${name}`,
    summary,
    options: { ...connectOption },
    positionals: [vmArg],
    examples,
    load: () => import('./commands/vm-power.js').then((m) => m[exp]),
  });
  return [
    power('start', 'Start a VM (when it fails: why, in plain words)', 'start', [
      'phyllo vm start web',
      'phyllo vm start web --json',
    ]),
    {
      name: 'vm shutdown',
      summary: 'Shut a VM down with the ACPI power button and wait until it is shut off',
      options: {
        timeout: {
          type: 'string',
          value: 'S',
          default: '120 seconds',
          description: 'How long to wait for the guest to power off',
        },
        force: {
          type: 'boolean',
          default: 'leave it running after the timeout (error)',
          description: 'Power it off when the timeout passes',
        },
        ...connectOption,
      },
      positionals: [vmArg],
      examples: ['phyllo vm shutdown web', 'phyllo vm shutdown web --timeout 30 --force'],
      load: () => import('./commands/vm-shutdown.js'),
    },
    power('kill', 'Power a VM off at once (like pulling the plug)', 'kill', [
      'phyllo vm kill web',
      'phyllo vm kill web --json',
    ]),
    power('reboot', 'Reboot a running VM (ACPI)', 'reboot', [
      'phyllo vm reboot web',
      'phyllo vm reboot web --json',
    ]),
    power('pause', 'Pause a running VM (it keeps its memory)', 'pause', [
      'phyllo vm pause web',
      'phyllo vm pause web --json',
    ]),
    power('resume', 'Resume a paused VM', 'resume', ['phyllo vm resume web', 'phyllo vm resume web --json']),
    {
      name: 'vm autostart',
      summary: 'Start a VM with the host, or not',
      options: { ...connectOption },
      positionals: [
        vmArg,
        { name: 'SETTING', required: true, description: 'on or off', choices: ['on', 'off'] },
      ],
      examples: ['phyllo vm autostart web on', 'phyllo vm autostart web off --json'],
      load: () => import('./commands/vm-power.js').then((m) => m.autostart),
    },
    {
      name: 'vm console',
      summary: 'The serial console in this terminal (Ctrl-] leaves)',
      options: {
        force: {
          type: 'boolean',
          default: 'fail when another session holds the console',
          description: 'Take the console over from another session',
        },
        ...connectOption,
      },
      positionals: [vmArg],
      examples: ['phyllo vm console web', 'phyllo vm console web --force'],
      load: () => import('./commands/vm-console.js'),
    },
    {
      name: 'vm screenshot',
      summary: 'Save what the VM shows on its display as a PNG',
      options: { ...connectOption },
      positionals: [
        vmArg,
        { name: 'FILE', required: true, description: 'The PNG file to write', complete: 'file' },
      ],
      examples: ['phyllo vm screenshot web web.png', 'phyllo vm screenshot web /tmp/web.png --json'],
      load: () => import('./commands/vm-screenshot.js'),
    },
    {
      name: 'vm display',
      summary: 'The address of the VM’s VNC or SPICE display',
      options: { ...connectOption },
      positionals: [vmArg],
      examples: ['phyllo vm display web', 'phyllo vm display web --json'],
      load: () => import('./commands/vm-display.js'),
    },
    {
      name: 'vm diagnose',
      summary: 'What is wrong with a VM, in plain words, and what to do',
      options: { ...connectOption },
      positionals: [vmArg],
      examples: ['phyllo vm diagnose web', 'phyllo vm diagnose web --json'],
      load: () => import('./commands/vm-diagnose.js'),
    },
  ];
}

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
    name: 'host overhead',
    summary: 'What the host itself costs the guests: memory and CPU of the OS, libvirt and Phyllome',
    options: {
      sample: {
        type: 'string',
        value: 'MS',
        default: '500',
        description: 'How long to watch CPU use, in milliseconds',
      },
      ...rootOption,
    },
    positionals: [],
    examples: ['phyllo host overhead', 'phyllo host overhead --sample 2000 --json'],
    load: () => import('./commands/host-overhead.js'),
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
      start: {
        type: 'boolean',
        default: 'leave it shut off',
        description: 'Start the VM once it is defined (if the start fails, the VM stays defined)',
      },
      console: {
        type: 'boolean',
        default: 'return once created',
        description: 'Start the VM and attach this terminal to its serial console (Ctrl-] leaves)',
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
  // The VM lifecycle: power, console, display, diagnosis (src/cli/commands/vm-power.ts and beside it).
  ...powerCommands(),
  {
    name: 'vm list',
    summary: 'Every VM: state, OS, vCPUs, memory, disk use; uptime, CPU and memory use of running ones',
    options: {
      cpu: {
        type: 'boolean',
        default: 'no CPU column values (one stats call)',
        description: 'Also measure CPU use: a second stats sample 0.5 s later, for running VMs only',
      },
      ...connectOption,
    },
    positionals: [],
    examples: ['phyllo vm list', 'phyllo vm list --cpu --json'],
    load: () => import('./commands/vm-list.js'),
  },
  {
    name: 'vm info',
    summary:
      'One VM: the model’s choices with reasons, devices, disks and backing chains, display, NVRAM, TPM, snapshots',
    options: { ...connectOption },
    positionals: [vmArg],
    examples: ['phyllo vm info web', 'phyllo vm info win11 --json'],
    load: () => import('./commands/vm-info.js'),
  },
  {
    name: 'vm edit',
    summary: "Edit a VM's domain XML in $EDITOR; redefined only if libvirt accepts it",
    options: { ...connectOption },
    positionals: [vmArg],
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
    positionals: [vmArg],
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
      vmArg,
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
    name: 'vm nic',
    summary:
      'Add, list or remove network cards (a libvirt network or a host bridge): persistent, hot-plugged when running',
    options: {
      network: {
        type: 'string',
        value: 'N',
        default: 'default (when --bridge is not given)',
        description: 'add: join the libvirt network N',
      },
      bridge: {
        type: 'string',
        value: 'BR',
        default: 'a libvirt network',
        description: 'add: plug into the host bridge BR instead',
      },
      model: {
        type: 'string',
        value: 'MODEL',
        default: 'virtio',
        description: 'add: the card the guest sees (e1000e for a guest without virtio drivers)',
        choices: ['virtio', 'e1000e'],
      },
      mac: {
        type: 'string',
        value: 'MAC',
        default: 'libvirt picks a free one',
        description: 'add: its MAC address',
      },
      ...connectOption,
    },
    positionals: [
      {
        name: 'ACTION',
        required: true,
        description: 'add, list or remove',
        choices: ['add', 'list', 'remove'],
      },
      vmArg,
      {
        name: 'NIC',
        required: false,
        description: 'remove: the card, by MAC address or index (vm nic list)',
      },
    ],
    examples: [
      'phyllo vm nic add web --network default --model e1000e',
      'phyllo vm nic add web --bridge br0 --mac 52:54:00:12:34:56',
      'phyllo vm nic list web --json',
      'phyllo vm nic remove web 52:54:00:12:34:56',
    ],
    load: () => import('./commands/vm-nic.js'),
  },
  {
    name: 'vm share',
    summary:
      'Share a host directory with a VM over virtiofs (vm share NAME DIR --tag T), list or remove shares',
    usage:
      'phyllo vm share [add] NAME HOST_DIR --tag TAG [--readonly] | list NAME | remove NAME TAG [options]',
    options: {
      tag: {
        type: 'string',
        value: 'TAG',
        default: 'none: required to add',
        description: 'add: the name the guest mounts it by (mount -t virtiofs TAG /mnt)',
      },
      readonly: {
        type: 'boolean',
        default: 'writable',
        description: 'add: read-only (refused where libvirt and virtiofsd cannot, as on Debian 12)',
      },
      ...connectOption,
    },
    positionals: [
      {
        name: 'NAME',
        required: true,
        description: 'The VM (or add, list, remove, then the VM)',
        complete: 'vm',
      },
      {
        name: 'DIR',
        required: false,
        description: 'The host directory (after add, list or remove: the VM)',
        complete: 'dir',
      },
      { name: 'TAG', required: false, description: 'add NAME DIR: the directory; remove NAME TAG: the tag' },
    ],
    examples: [
      'phyllo vm share web ~/projects --tag projects',
      'phyllo vm share list web --json',
      'phyllo vm share remove web projects',
    ],
    load: () => import('./commands/vm-share.js'),
  },
  {
    name: 'vm device',
    summary:
      'Give a VM a host PCI device (where its IOMMU group allows it), a USB device or a GPU slice (mdev); list or remove them',
    usage:
      'phyllo vm device add NAME --pci ADDR [--with-group] | --usb VID:PID|BUS.DEVICE | --gpu ADDR --mdev TYPE | list NAME | remove NAME DEVICE [options]',
    options: {
      pci: {
        type: 'string',
        value: 'ADDR',
        default: 'none: required to add',
        description: 'add: the PCI address, as phyllo host devices shows it (0000:0b:00.0)',
      },
      'with-group': {
        type: 'boolean',
        default: 'refuse a device that shares its IOMMU group',
        description: 'add: give every endpoint of its IOMMU group (the bridges stay with the host)',
      },
      usb: {
        type: 'string',
        value: 'ID',
        default: 'none',
        description:
          'add: a plugged-in USB device, VID:PID as lsusb shows it (046d:c52b) or BUS.DEVICE for one device (1.5)',
      },
      gpu: {
        type: 'string',
        value: 'ADDR',
        default: 'none',
        description: 'add: the GPU to take a mediated device (a slice) of, with --mdev',
      },
      mdev: {
        type: 'string',
        value: 'TYPE',
        default: 'none',
        description: 'add: the mediated device type (i915-GVTg_V5_4, an NVIDIA vGPU type), with --gpu',
      },
      ...connectOption,
      ...rootOption,
    },
    positionals: [
      {
        name: 'ACTION',
        required: true,
        description: 'add, list or remove',
        choices: ['add', 'list', 'remove'],
      },
      vmArg,
      {
        name: 'DEVICE',
        required: false,
        description: 'remove: the PCI address, USB id or mediated device UUID (vm device list)',
      },
    ],
    examples: [
      'phyllo vm device add win11 --pci 0000:0b:00.0 --with-group',
      'phyllo vm device add win11 --usb 046d:c52b',
      'phyllo vm device add win11 --gpu 0000:00:02.0 --mdev i915-GVTg_V5_4',
      'phyllo vm device list win11 --json',
      'phyllo vm device remove win11 0000:0b:00.0',
    ],
    load: () => import('./commands/vm-device.js'),
  },
  {
    name: 'usb rule',
    summary:
      'USB rules in a VM’s metadata: a matching device is attached while the VM runs (with usb watch or serve)',
    usage: 'phyllo usb rule add|remove VID:PID[:SERIAL] --vm NAME | list [--vm NAME] [options]',
    options: {
      vm: {
        type: 'string',
        value: 'NAME',
        default: 'list: every VM',
        description: 'The VM the rule belongs to (required to add or remove)',
        complete: 'vm',
      },
      ...connectOption,
    },
    positionals: [
      {
        name: 'ACTION',
        required: true,
        description: 'add, list or remove',
        choices: ['add', 'list', 'remove'],
      },
      {
        name: 'RULE',
        required: false,
        description: 'add/remove: VID:PID as lsusb shows it, :SERIAL for one device only',
      },
    ],
    examples: [
      'phyllo usb rule add 1050:0407 --vm win11',
      'phyllo usb rule add 046d:c52b:0123ABCD --vm web',
      'phyllo usb rule list --json',
      'phyllo usb rule remove 1050:0407 --vm win11',
    ],
    load: () => import('./commands/usb-rule.js'),
  },
  {
    name: 'usb watch',
    summary:
      'Run the USB rules in the foreground: attach matching devices as they appear and when VMs start, detach them when unplugged',
    options: { ...connectOption },
    positionals: [],
    examples: ['phyllo usb watch', 'phyllo usb watch --connect qemu+ssh://root@host/system --json'],
    load: () => import('./commands/usb-watch.js'),
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
    positionals: [vmArg],
    examples: ['phyllo vm upgrade-devices win11', 'phyllo vm upgrade-devices win11 --undo'],
    load: () => import('./commands/vm-upgrade-devices.js'),
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
    name: 'vm export',
    summary:
      'Write a shut-off VM to one bundle file: disks (sparse), UEFI variables, TPM state, its settings',
    options: {
      compress: {
        type: 'string',
        choices: ['zstd', 'none'],
        default: 'zstd',
        description: 'Compress the bundle with zstd, or not',
      },
      ...connectOption,
    },
    positionals: [
      { name: 'NAME', required: true, description: 'The VM to export (shut off)', complete: 'vm' },
      {
        name: 'FILE',
        required: true,
        description: 'The bundle to write (e.g. win11.phyllome), or - for standard output',
      },
    ],
    examples: ['phyllo vm export win11 win11.phyllome', 'phyllo vm export web - --compress none'],
    load: () => import('./commands/vm-export.js'),
  },
  {
    name: 'vm import',
    summary:
      'Make a VM from a bundle, checked whole before anything is created; the model re-decides for this host',
    options: {
      name: {
        type: 'string',
        value: 'NEW',
        default: 'the bundle’s name (and UUID)',
        description: 'Import under another name (with a new UUID and MAC addresses)',
      },
      pool: {
        type: 'string',
        value: 'POOL',
        default: 'default',
        description: 'The storage pool for its disk',
      },
      ...connectOption,
    },
    positionals: [
      { name: 'FILE', required: true, description: 'The bundle (from vm export), or - for standard input' },
    ],
    examples: ['phyllo vm import win11.phyllome', 'phyllo vm import win11.phyllome --name win11-copy --json'],
    load: () => import('./commands/vm-import.js'),
  },
  {
    name: 'vm import-ova',
    summary:
      'Make a VM from an OVA exported by VirtualBox or VMware: manifest checked, VMDK converted to qcow2, OS type, memory, CPUs and firmware mapped',
    options: {
      os: {
        type: 'string',
        value: 'ID',
        default: 'mapped from the OVF’s OS type',
        description: 'The guest profile (or osinfo-db id) instead of the one the OVF’s OS type maps to',
        complete: 'os',
      },
      name: {
        type: 'string',
        value: 'NEW',
        default: 'the appliance’s name (and its MAC address)',
        description: 'Import under another name (with a new MAC address)',
      },
      pool: {
        type: 'string',
        value: 'POOL',
        default: 'default',
        description: 'The storage pool for its disk',
      },
      ...connectOption,
    },
    positionals: [
      {
        name: 'FILE',
        required: true,
        description:
          'The .ova file (VirtualBox: File > Export Appliance; VMware: ovftool or File > Export to OVF)',
        complete: 'file',
      },
    ],
    examples: [
      'phyllo vm import-ova ubuntu.ova',
      'phyllo vm import-ova win11.ova --name win11 --json',
      'phyllo vm import-ova appliance.ova --os linux-5.4',
    ],
    load: () => import('./commands/vm-import-ova.js'),
  },
  {
    name: 'vm move',
    summary:
      'Move a shut-off VM to another host (disks, UEFI variables, TPM state); removed here only once it is whole there',
    options: {
      to: { type: 'string', value: 'URI', description: 'The destination host’s libvirt URI (required)' },
      'keep-source': {
        type: 'boolean',
        default: 'remove it here after the move',
        description: 'Keep the VM on this host too',
      },
      pool: {
        type: 'string',
        value: 'POOL',
        default: 'default',
        description: 'The destination’s storage pool for its disk',
      },
      ...connectOption,
    },
    positionals: [{ name: 'NAME', required: true, description: 'The VM to move (shut off)', complete: 'vm' }],
    examples: ['phyllo vm move win11 --to qemu+ssh://root@new-host/system'],
    load: () => import('./commands/vm-move.js'),
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
    name: 'serve',
    summary: 'Serve the HTTP/WebSocket API (and the web UI) on loopback, with a one-time login link',
    options: {
      listen: {
        type: 'string',
        value: 'HOST:PORT',
        default: '$PHYLLO_LISTEN, else 127.0.0.1:8006',
        description: 'Where to listen; anything but loopback needs --tls-cert and --tls-key',
      },
      connect: {
        type: 'string',
        short: 'c',
        multiple: true,
        value: 'URI',
        default: '$PHYLLO_CONNECT, else qemu:///system for root and qemu:///session otherwise',
        description: 'A libvirt daemon to serve; give several for one API over several hosts (?host=ID)',
      },
      'tls-cert': {
        type: 'string',
        value: 'FILE',
        default: 'plain HTTP, loopback only',
        description: 'TLS certificate (PEM)',
        complete: 'file',
      },
      'tls-key': {
        type: 'string',
        value: 'FILE',
        default: 'plain HTTP, loopback only',
        description: 'TLS private key (PEM)',
        complete: 'file',
      },
      origin: {
        type: 'string',
        multiple: true,
        value: 'URL',
        default: 'the listen address',
        description: 'Another origin browsers reach the server as (a reverse proxy’s https://NAME)',
      },
      'allow-dir': {
        type: 'string',
        multiple: true,
        value: 'DIR',
        default: '/var/lib/libvirt/images and ~/Downloads',
        description: 'A directory API requests may name files in (ISOs, disk images)',
        complete: 'dir',
      },
      'install-service': {
        type: 'boolean',
        default: 'serve now',
        description:
          'Write a systemd unit that runs phyllo serve at boot with these options, and say how to enable it',
      },
      'unit-dir': {
        type: 'string',
        value: 'DIR',
        default: '/etc/systemd/system for root, ~/.config/systemd/user otherwise',
        description: 'Where --install-service writes phyllome.service',
        complete: 'dir',
      },
    },
    positionals: [],
    examples: [
      'phyllo serve',
      'phyllo serve --connect qemu:///system --connect qemu+ssh://root@nas/system',
      'phyllo serve --listen 0.0.0.0:8006 --tls-cert cert.pem --tls-key key.pem',
      'phyllo serve --install-service',
    ],
    load: () => import('./commands/serve.js'),
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
