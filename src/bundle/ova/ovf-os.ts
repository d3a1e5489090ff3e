/**
 * The guest profile for an OVF's declared OS type: VirtualBox's `vbox:OSType` (`Windows11_64`,
 * `Debian12_64`), VMware's `vmw:osType` (the vSphere API's `windows11_64Guest`, `debian12_64Guest`,
 * or Workstation's `windows11-64`, `debian12-64`), else the CIM_OperatingSystem number in
 * `ovf:id` (94 Ubuntu 64-bit, 96 Debian 64-bit, 121 Windows 10 64-bit…). The tables name families
 * and versions, not every id: a release newer than the table (Debian 13) falls on the newest profile.
 */
import type { ProfileId } from '../../catalog/profile.js';
import type { OvfDescriptor } from './ovf-parse.js';

export interface DetectedOvfOs {
  id: ProfileId;
  /** What the OVF declares, in words: `VirtualBox OS type "Debian12_64"`. */
  declared: string;
  reason: string;
}

type Rule = [RegExp, (m: RegExpExecArray) => { id: ProfileId; reason: string }];

const fixed = (id: ProfileId, reason: string) => (): { id: ProfileId; reason: string } => ({ id, reason });

/** Linux by release: kernel 5.15 or newer gets the `linux` profile, older the `linux-5.4` one. */
const byRelease =
  (distro: string, modernFrom: number, group = 1) =>
  (m: RegExpExecArray): { id: ProfileId; reason: string } => {
    const v = m[group] ? Number(m[group]) : undefined;
    if (v === undefined) return { id: 'linux', reason: `${distro} without a release: assumed current` };
    return v >= modernFrom
      ? { id: 'linux', reason: `${distro} ${v} (kernel 5.15 era or newer)` }
      : { id: 'linux-5.4', reason: `${distro} ${v}, older than kernel 5.15` };
  };

const OLD_WINDOWS = fixed('windows-10', 'an older Windows: the Windows 10 profile, best effort');
const LEGACY = fixed('reactos', "a legacy PC OS: the ReactOS profile's BIOS/IDE machine");
const OLD_LINUX = fixed('linux-5.4', 'a Linux without a known release: the kernel 5.4 profile, the safe one');

/** VirtualBox types, without their `_64` (or `_arm64`) suffix. */
const VBOX: Rule[] = [
  [/^Windows11$/, fixed('windows-11', 'Windows 11')],
  [/^Windows10$/, fixed('windows-10', 'Windows 10')],
  [/^Windows20(16|19|22|25)$/, (m) => ({ id: 'windows-server-2022', reason: `Windows Server 20${m[1]}` })],
  [/^Windows(7|8|81|Vista|2008|2012)$/, OLD_WINDOWS],
  [/^Windows(XP|2003|2000|NT4|NT|Me|98|95|31)$/i, LEGACY],
  [/^DOS$/, LEGACY],
  [/^Ubuntu(\d+)?/, byRelease('Ubuntu', 22)],
  [/^Debian(\d+)?$/, byRelease('Debian', 12)],
  [/^Fedora(\d+)?$/, byRelease('Fedora', 36)],
  [/^(RedHat|Oracle|OracleLinux)(\d+)?$/, byRelease('Red Hat-family Linux', 10, 2)],
  [/^(ArchLinux|Gentoo|OpenSUSE_Tumbleweed|Mint)/, fixed('linux', 'a rolling or current Linux distribution')],
  [/^(Linux\d*|OpenSUSE.*|Mandriva|Turbolinux|Xandros|Linux26|Linux24)$/, OLD_LINUX],
  [/^(FreeBSD|OpenBSD|NetBSD)$/, (m) => ({ id: 'freebsd', reason: `a BSD (${m[1]})` })],
  [/^MacOS/, fixed('darwin', 'macOS')],
];

/** VMware ids, lower case, without `Guest` and with `-` as `_` (`windows11_64`, `debian12_64`, `ubuntu_64`). */
const VMWARE: Rule[] = [
  [/^windows1[1-9](?:_64)?$/, fixed('windows-11', 'Windows 11')],
  [
    /^windows9(?:_64)?$/,
    fixed('windows-10', 'Windows 10 (VMware’s "windows9", also used for early Windows 11)'),
  ],
  [/^windows[78](?:_64)?$/, OLD_WINDOWS],
  [
    /^(?:windows9srv|windows2019srv|windows2019srvnext|windows2022srvnext)(?:_64)?$/,
    fixed('windows-server-2022', 'Windows Server 2016 or newer'),
  ],
  [/^(?:winxp|winnet|win2000|win98|win95|winnt|dos)/, LEGACY],
  [/^ubuntu(?:_?64)?$/, fixed('linux', 'Ubuntu without a release: assumed current')],
  [/^debian(?:_?64|(\d+)(?:_64)?)?$/, byRelease('Debian', 12)],
  [/^fedora(?:_?64)?$/, fixed('linux', 'Fedora (a current release)')],
  [
    /^(?:rhel|centos|oraclelinux|almalinux|rockylinux)(?:_?64|(\d+)(?:_64)?)?$/,
    byRelease('Red Hat-family Linux', 10),
  ],
  [/^other6xlinux(?:_?64)?$/, fixed('linux', 'Linux 6.x')],
  [/^(?:other|other24x|other26x|other3x|other4x|other5x)linux(?:_?64)?$/, OLD_LINUX],
  [/^(?:sles|opensuse)(?:_?64|\d+(?:_64)?)?$/, OLD_LINUX],
  [/^freebsd(?:_?64|\d+(?:_64)?)?$/, fixed('freebsd', 'FreeBSD')],
  [/^darwin(?:_?64|\d+(?:_64)?)?$/, fixed('darwin', 'macOS')],
];

/** CIM_OperatingSystem.OSType numbers (DMTF CIM schema), where a vendor type is not given. */
const CIM: Record<number, [ProfileId, string]> = {
  93: ['linux', 'Ubuntu'],
  94: ['linux', 'Ubuntu 64-bit'],
  95: ['linux', 'Debian'],
  96: ['linux', 'Debian 64-bit'],
  36: ['linux-5.4', 'Linux'],
  79: ['linux-5.4', 'Red Hat Enterprise Linux'],
  80: ['linux-5.4', 'Red Hat Enterprise Linux 64-bit'],
  97: ['linux-5.4', 'Linux 2.4'],
  98: ['linux-5.4', 'Linux 2.4 64-bit'],
  99: ['linux-5.4', 'Linux 2.6'],
  100: ['linux-5.4', 'Linux 2.6 64-bit'],
  101: ['linux-5.4', 'Linux 64-bit'],
  106: ['linux-5.4', 'CentOS'],
  107: ['linux-5.4', 'CentOS 64-bit'],
  108: ['linux-5.4', 'Oracle Linux'],
  109: ['linux-5.4', 'Oracle Linux 64-bit'],
  123: ['windows-11', 'Windows 11 64-bit'],
  120: ['windows-10', 'Windows 10'],
  121: ['windows-10', 'Windows 10 64-bit'],
  105: ['windows-10', 'Windows 7: the Windows 10 profile, best effort'],
  115: ['windows-10', 'Windows 8 64-bit: the Windows 10 profile, best effort'],
  119: ['windows-10', 'Windows 8.1 64-bit: the Windows 10 profile, best effort'],
  117: ['windows-server-2022', 'Windows Server 2016'],
  122: ['windows-server-2022', 'Windows Server 2019'],
  124: ['windows-server-2022', 'Windows Server 2022'],
  67: ['reactos', 'Windows XP: the ReactOS profile’s BIOS/IDE machine'],
  42: ['freebsd', 'FreeBSD'],
  78: ['freebsd', 'FreeBSD 64-bit'],
};

function match(rules: Rule[], key: string): { id: ProfileId; reason: string } | undefined {
  for (const [re, f] of rules) {
    const m = re.exec(key);
    if (m) return f(m);
  }
  return undefined;
}

const vboxKey = (t: string) => t.replace(/_(64|arm64)$/, '');
const vmwareKey = (t: string) =>
  t
    .toLowerCase()
    .replace(/guest$/, '')
    .replace(/-/g, '_');

/** Every OS type the OVF declares, most specific first, each as words for messages. */
export function declaredOs(d: OvfDescriptor): string {
  const vbox = d.os.vboxType ?? d.virtualbox?.osType;
  if (vbox) return `VirtualBox OS type "${vbox}"`;
  if (d.os.vmwareType) return `VMware OS type "${d.os.vmwareType}"`;
  if (d.os.cimId !== undefined)
    return `CIM OS id ${d.os.cimId}${d.os.description ? ` ("${d.os.description}")` : ''}`;
  return 'OS type (none declared)';
}

/** The profile the declared OS type maps to, or undefined when no table knows it. */
export function detectOvfOs(d: OvfDescriptor): DetectedOvfOs | undefined {
  const declared = declaredOs(d);
  const vbox = d.os.vboxType ?? d.virtualbox?.osType;
  const hit =
    (vbox ? match(VBOX, vboxKey(vbox)) : undefined) ??
    (d.os.vmwareType ? match(VMWARE, vmwareKey(d.os.vmwareType)) : undefined) ??
    // Some tools write the VirtualBox type only as the description.
    (d.os.description && /^\w+$/.test(d.os.description) ? match(VBOX, vboxKey(d.os.description)) : undefined);
  if (hit) return { ...hit, declared };
  const cim = d.os.cimId === undefined ? undefined : CIM[d.os.cimId];
  if (cim) return { id: cim[0], reason: cim[1], declared };
  return undefined;
}
