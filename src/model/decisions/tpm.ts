import { HostMissingComponentError } from '../errors.js';
import { hostLabel } from '../host-facts.js';
import type { DevicesSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';

const SWTPM_PACKAGE = 'swtpm';

/** An emulated TPM 2.0 (CRB interface) through swtpm; required by Windows 11. */
export function decideTpm(ctx: ModelContext): Decision<DevicesSpec['tpm']> {
  const { profile, host, caps, guest } = ctx;
  if (profile.tpm === 'none') return { choice: undefined, reason: `${guest.name} does not use a TPM` };
  const crbOk = !caps || !caps.tpm.supported || caps.tpm.models.includes('tpm-crb');
  const emulatorOk = !caps || (caps.tpm.supported && caps.tpm.backends.includes('emulator'));
  if (!host.swtpm || !emulatorOk) {
    const where = hostLabel(host);
    const why =
      host.remoteHost !== undefined
        ? `libvirt on ${where} lists no emulated TPM backend (swtpm is not installed there)`
        : !host.swtpm
          ? 'swtpm is not installed'
          : "libvirt's QEMU cannot use an emulated TPM";
    if (profile.tpm === 'required')
      throw new HostMissingComponentError(
        `${guest.name} needs a TPM 2.0, and ${why}${host.remoteHost !== undefined ? '' : ' on this host'}`,
        SWTPM_PACKAGE,
      );
    ctx.warnings.push(
      `No vTPM: ${why} (install ${SWTPM_PACKAGE}${host.remoteHost !== undefined ? ' there' : ''})`,
    );
    return { choice: undefined, reason: `no TPM: ${why}` };
  }
  const model = crbOk ? 'tpm-crb' : 'tpm-tis';
  return {
    choice: { model, version: '2.0' },
    reason: `TPM 2.0 (${model}) emulated by swtpm: ${profile.tpm === 'required' ? `${guest.name} requires it` : 'measured boot and disk-encryption keys'}`,
  };
}
