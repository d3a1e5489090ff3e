import { HostMissingComponentError } from '../errors.js';
import { findFirmware } from '../../host/firmware-descriptors.js';
import type { ModelContext, Decision } from './context.js';

export interface FirmwareChoice {
  firmware: 'efi' | 'bios';
  secureBoot: boolean;
  enrolledKeys: boolean;
  /** SMM on and a secure loader: required by Secure Boot firmware. */
  smm: boolean;
  /** The descriptor libvirt will pick (for the reason; the XML names features, not paths). */
  descriptor?: string;
  /** Its features (acpi-s3, acpi-s4…): libvirt refuses S3/S4 the firmware does not support. */
  features?: string[];
}

const OVMF = 'ovmf';

/** UEFI through libvirt's firmware auto-selection (features, not paths: host-agnostic), or BIOS. */
export function decideFirmware(ctx: ModelContext, canonicalMachine: string): Decision<FirmwareChoice> {
  const { profile, host, options, guest } = ctx;
  if (options.kernel)
    return {
      choice: { firmware: 'bios', secureBoot: false, enrolledKeys: false, smm: false },
      reason: 'direct kernel boot: QEMU loads the kernel itself, BIOS starts it fastest and needs no NVRAM',
    };
  const wantEfi = profile.firmware === 'efi' && !guest.firmwareUnsupported.includes('efi');
  if (!wantEfi)
    return {
      choice: { firmware: 'bios', secureBoot: false, enrolledKeys: false, smm: false },
      reason: guest.firmwareUnsupported.includes('efi')
        ? `osinfo-db says ${guest.name} cannot boot with UEFI: BIOS`
        : `BIOS: ${profile.name} boots best from the legacy PC BIOS`,
    };
  const efiOffered =
    !ctx.caps || ctx.caps.firmwareValues.length === 0 || ctx.caps.firmwareValues.includes('efi');
  const want = { arch: host.arch, machine: canonicalMachine, interface: 'uefi' as const };
  if (profile.secureBoot !== 'none') {
    const sb = efiOffered
      ? findFirmware(host.firmware, { ...want, features: ['secure-boot', 'enrolled-keys'] })
      : undefined;
    if (sb) {
      const smm = sb.features.includes('requires-smm');
      return {
        choice: {
          firmware: 'efi',
          secureBoot: true,
          enrolledKeys: true,
          smm,
          descriptor: sb.file,
          features: sb.features,
        },
        reason: `UEFI with Secure Boot and Microsoft keys enrolled (${sb.file})${smm ? '; the firmware requires SMM' : ''}`,
      };
    }
    if (profile.secureBoot === 'required')
      throw new HostMissingComponentError(
        `${guest.name} needs UEFI firmware with Secure Boot and Microsoft keys enrolled, and this host has none for ${canonicalMachine}`,
        OVMF,
      );
    ctx.warnings.push(
      `No Secure Boot firmware with enrolled keys on this host: ${guest.name} runs without Secure Boot (install ${OVMF})`,
    );
  }
  const plain = efiOffered
    ? findFirmware(host.firmware, { ...want, features: [], without: ['secure-boot'] })
    : undefined;
  if (plain)
    return {
      choice: {
        firmware: 'efi',
        secureBoot: false,
        enrolledKeys: false,
        smm: false,
        descriptor: plain.file,
        features: plain.features,
      },
      reason:
        profile.secureBoot === 'none'
          ? `UEFI without Secure Boot (${plain.file}): custom kernels and modules (DKMS, ZFS, NVIDIA) load unsigned`
          : `UEFI without Secure Boot (${plain.file}): no Secure Boot firmware available`,
    };
  if (guest.firmwareUnsupported.includes('bios'))
    throw new HostMissingComponentError(
      `${guest.name} needs UEFI firmware and this host has none for ${canonicalMachine}`,
      OVMF,
    );
  ctx.warnings.push(`No UEFI firmware on this host: BIOS instead (install ${OVMF})`);
  return {
    choice: { firmware: 'bios', secureBoot: false, enrolledKeys: false, smm: false },
    reason: `BIOS: no UEFI firmware descriptor for ${canonicalMachine} on this host`,
  };
}
