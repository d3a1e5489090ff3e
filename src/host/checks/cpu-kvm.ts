import type { KvmVerdict } from '../kvm-verdict.js';
import { cmdlineValue, normalizeParam } from '../cmdline.js';
import { parseBoolParam } from '../kvm.js';
import type { HostFacts } from '../probe.js';
import { check, type Check } from './types.js';
import { vendorWords } from './vendor.js';

export function cpuVirtualization(h: HostFacts): Check {
  const id = 'cpu.virtualization';
  if (!h.cpu.known)
    return check(id, 'warn', 'CPU features unknown', h.cpu.reason, 'Check that /proc is mounted.');
  const cpu = h.cpu.value;
  const w = vendorWords(cpu.vendor);
  if (cpu.vmx || cpu.svm)
    return check(
      id,
      'pass',
      `${cpu.vendor === 'unknown' ? `Hardware virtualization (${cpu.vmx ? 'vmx' : 'svm'})` : cpu.vmx ? 'Intel VT-x' : 'AMD-V'} is available`,
      `${cpu.model}, ${cpu.threads} threads`,
    );
  if (cpu.runningAsGuest)
    return check(
      id,
      'fail',
      `No ${w.virt} flag: this computer is itself a virtual machine without nested virtualization`,
      `${cpu.model}: /proc/cpuinfo has the "hypervisor" flag and no vmx/svm flag${h.kvm.device ? `; /dev/kvm exists (${h.kvm.module ?? 'kvm'}), see kvm.works` : ''}.`,
      `On the outer host, enable nested virtualization (${w.nestedOption}) and give this VM the host CPU model (host-passthrough); otherwise guests here are emulated (TCG).`,
    );
  if (cpu.vendor === 'unknown')
    return check(
      id,
      'fail',
      'No hardware virtualization',
      `${cpu.model} (vendor ${cpu.vendorId}, neither Intel nor AMD): neither vmx nor svm is listed`,
      'KVM needs a CPU with VT-x (vmx) or AMD-V (svm); if this one has it, enable it in the firmware setup. Otherwise guests here are emulated (TCG): 10-50× slower.',
    );
  return check(
    id,
    'fail',
    `${w.virt} is off or missing`,
    `${cpu.model}: /proc/cpuinfo has no ${cpu.vendor === 'amd' ? 'svm' : 'vmx'} flag. Almost every ${cpu.vendor === 'amd' ? 'AMD' : 'Intel'} CPU of the last ten years has it: the firmware has most likely disabled it (the kernel hides the flag then).`,
    `Reboot into the firmware setup (usually F2, Del or F10 at power-on) and enable ${w.firmwareVirt}.`,
  );
}

export function kvmDevice(h: HostFacts): Check {
  const id = 'kvm.device';
  const w = vendorWords(h.cpu.known ? h.cpu.value.vendor : undefined);
  if (h.kvm.device && h.kvm.deviceUsable.known)
    return check(id, 'pass', '/dev/kvm is present and usable', `module: ${h.kvm.module ?? 'kvm'}`);
  if (h.kvm.device && !h.kvm.deviceUsable.known)
    return check(
      id,
      'fail',
      '/dev/kvm is present but this user cannot open it',
      h.kvm.deviceUsable.reason,
      'Add yourself to the kvm group: `sudo adduser $USER kvm`, then log out and in again.',
    );
  const cpuOk = h.cpu.known && (h.cpu.value.vmx || h.cpu.value.svm);
  return check(
    id,
    'fail',
    '/dev/kvm is missing',
    h.kvm.kvmLoaded
      ? 'the kvm module is loaded but no /dev/kvm node exists'
      : `the ${w.module} module is not loaded`,
    cpuOk
      ? `Load the module: ${w.modprobe} (and check \`dmesg\` for why it refused).`
      : 'Enable hardware virtualization first (see cpu.virtualization).',
  );
}

export function kvmWorks(h: HostFacts, v: KvmVerdict): Check {
  const id = 'kvm.works';
  const when = v.testedAt ? ` (tested ${v.testedAt}${v.cached ? ', cached' : ''})` : '';
  switch (v.state) {
    case 'works':
      return check(id, 'pass', 'A Linux guest boots under KVM', `${v.detail}${when}`);
    case 'broken':
      return check(
        id,
        'fail',
        v.summary,
        `${v.detail}${when}`,
        h.cpu.known && h.cpu.value.runningAsGuest
          ? 'This host is a VM whose hypervisor does not run nested guests properly: Phyllome will use TCG. Enable nested virtualization on the outer host, then run `phyllo host check --retest`.'
          : 'Update the kernel and QEMU, check `dmesg` for KVM errors, then run `phyllo host check --retest`.',
      );
    case 'unavailable':
      return check(id, 'fail', v.summary, v.detail, 'See kvm.device and cpu.virtualization.');
    case 'unknown':
      return check(
        id,
        'warn',
        v.summary,
        v.detail,
        'Install a kernel and a static busybox for the boot test (`sudo apt install linux-image-amd64 busybox-static`), then run `phyllo host check --retest`.',
      );
  }
}

export function kvmNested(h: HostFacts): Check {
  const id = 'kvm.nested';
  const m = h.kvm.module;
  if (m !== 'kvm_intel' && m !== 'kvm_amd')
    return check(
      id,
      'info',
      'Nested virtualization: not visible',
      m ? `module ${m} has no nested parameter` : 'no kvm_intel/kvm_amd module loaded',
    );
  if (h.kvm.nested)
    return check(
      id,
      'pass',
      'Nested virtualization is on: guests can run their own VMs (WSL2, Hyper-V, Docker Desktop)',
    );
  // A `kvm_amd.nested=0` on the kernel command line is applied whenever the module loads: a modprobe.d
  // option would not help, the boot entry has to change.
  const onCmdline = h.cmdline.known ? cmdlineValue(h.cmdline.value, `${m}.nested`) : undefined;
  if (h.cmdline.known && typeof onCmdline === 'string' && parseBoolParam(onCmdline) === false) {
    // As written there (`kvm-amd.nested=0` and `kvm_amd.nested=0` are the same to the kernel).
    const token =
      h.cmdline.value.raw.split(/\s+/).find((t) => normalizeParam(t.split('=')[0]!) === `${m}.nested`) ??
      `${m}.nested=${onCmdline}`;
    return check(
      id,
      'info',
      'Nested virtualization is off: guests cannot run their own VMs',
      `${m}.nested = ${h.kvm.nested === false ? 'off' : 'unknown'}; the kernel command line sets ${token}`,
      `To turn it on: remove \`${token}\` from the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then \`sudo update-grub\`) and reboot.`,
    );
  }
  return check(
    id,
    'info',
    'Nested virtualization is off: guests cannot run their own VMs',
    `${m}.nested = ${h.kvm.nested === false ? 'off' : 'unknown'}`,
    `To turn it on: \`echo "options ${m} nested=1" | sudo tee /etc/modprobe.d/kvm-nested.conf\`, then reload ${m} (or reboot).`,
  );
}
