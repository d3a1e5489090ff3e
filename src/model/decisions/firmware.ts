import { HostMissingComponentError } from '../errors.js';
import { findFirmware } from '../../host/firmware-descriptors.js';
import { hostLabel, UNKNOWN } from '../host-facts.js';
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
  /** The descriptors cannot be read (a remote host): the features are unknown on that host. */
  featuresUnknown?: boolean;
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
  if (options.firmware === 'bios')
    return {
      choice: { firmware: 'bios', secureBoot: false, enrolledKeys: false, smm: false },
      reason: 'BIOS: the disk was installed to boot from the legacy PC BIOS (it does not boot with UEFI)',
    };
  const wantEfi =
    options.firmware === 'efi' || (profile.firmware === 'efi' && !guest.firmwareUnsupported.includes('efi'));
  if (!wantEfi)
    return {
      choice: { firmware: 'bios', secureBoot: false, enrolledKeys: false, smm: false },
      reason: guest.firmwareUnsupported.includes('efi')
        ? `osinfo-db says ${guest.name} cannot boot with UEFI: BIOS`
        : `BIOS: ${profile.name} boots best from the legacy PC BIOS`,
    };
  if (host.firmware === UNKNOWN) return fromDomainCapabilities(ctx, canonicalMachine);
  const firmware = host.firmware;
  const efiOffered =
    !ctx.caps || ctx.caps.firmwareValues.length === 0 || ctx.caps.firmwareValues.includes('efi');
  const want = { arch: host.arch, machine: canonicalMachine, interface: 'uefi' as const };
  if (profile.secureBoot !== 'none') {
    const sb = efiOffered
      ? findFirmware(firmware, { ...want, features: ['secure-boot', 'enrolled-keys'] })
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
    ? findFirmware(firmware, { ...want, features: [], without: ['secure-boot'] })
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
  if (guest.firmwareUnsupported.includes('bios') || options.firmware === 'efi')
    throw new HostMissingComponentError(
      `${options.firmware === 'efi' ? 'The disk was installed for UEFI, so the VM' : guest.name} needs UEFI firmware and this host has none for ${canonicalMachine}`,
      OVMF,
    );
  ctx.warnings.push(`No UEFI firmware on this host: BIOS instead (install ${OVMF})`);
  return {
    choice: { firmware: 'bios', secureBoot: false, enrolledKeys: false, smm: false },
    reason: `BIOS: no UEFI firmware descriptor for ${canonicalMachine} on this host`,
  };
}

/**
 * UEFI on a host whose firmware descriptors cannot be read (a remote host): what its libvirt's
 * domain capabilities offer (`<os><enum name='firmware'>`, the loaders and their `secure` values)
 * decides, and libvirt's auto-selection picks the file there. Whether Microsoft keys are enrolled and
 * which ACPI sleep states the firmware declares are unknown on that host.
 */
function fromDomainCapabilities(ctx: ModelContext, canonicalMachine: string): Decision<FirmwareChoice> {
  const { profile, guest, caps } = ctx;
  const where = hostLabel(ctx.host);
  const efiOffered =
    caps !== undefined && (caps.firmwareValues.includes('efi') || caps.loaderPaths.length > 0);
  const secureOffered = efiOffered && caps.loaderSecure.includes('yes');
  const unknownWhy = `the firmware descriptors are unknown on ${where}`;
  if (profile.secureBoot !== 'none') {
    if (secureOffered)
      return {
        choice: {
          firmware: 'efi',
          secureBoot: true,
          enrolledKeys: true,
          smm: true,
          featuresUnknown: true,
        },
        reason: `UEFI with Secure Boot, chosen by libvirt on ${where} (its domain capabilities offer a secure loader); enrolled Microsoft keys are unknown on ${where} (${unknownWhy}), so they are asked for and libvirt refuses to define the VM if no firmware there has them`,
      };
    if (profile.secureBoot === 'required')
      throw new HostMissingComponentError(
        `${guest.name} needs UEFI firmware with Secure Boot, and libvirt on ${where} offers no secure loader for ${canonicalMachine}`,
        OVMF,
      );
    ctx.warnings.push(
      `No Secure Boot firmware on ${where}: ${guest.name} runs without Secure Boot (install ${OVMF} there)`,
    );
  }
  if (efiOffered)
    return {
      choice: { firmware: 'efi', secureBoot: false, enrolledKeys: false, smm: false, featuresUnknown: true },
      reason: `UEFI without Secure Boot, chosen by libvirt on ${where} (its domain capabilities offer efi; ${unknownWhy})`,
    };
  if (guest.firmwareUnsupported.includes('bios') || ctx.options.firmware === 'efi')
    throw new HostMissingComponentError(
      `${ctx.options.firmware === 'efi' ? 'The disk was installed for UEFI, so the VM' : guest.name} needs UEFI firmware and libvirt on ${where} offers none for ${canonicalMachine}`,
      OVMF,
    );
  ctx.warnings.push(`No UEFI firmware on ${where}: BIOS instead (install ${OVMF} there)`);
  return {
    choice: { firmware: 'bios', secureBoot: false, enrolledKeys: false, smm: false },
    reason: `BIOS: libvirt on ${where} offers no UEFI firmware for ${canonicalMachine}`,
  };
}
