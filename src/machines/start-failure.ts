import { escapeXml } from '../xml/serialize.js';
import { MetadataType, ModifyFlags, type Domain } from '../libvirt/index.js';

/**
 * libvirt forgets why a start failed; Phyllome keeps the last failure in the domain's own metadata
 * (so it is there for `phyllo vm diagnose` from any machine), in a namespace of its own beside the
 * model's `phyllome:vm` element, and removes it at the next successful start.
 */
export const START_FAILURE_NS = 'https://phyllo.me/xmlns/start-failure/1.0';
const KEY = 'phyllome-start';

export interface StartFailure {
  /** ISO 8601 time of the failed start. */
  at: string;
  /** libvirt's error message, as it gave it. */
  message: string;
}

/** Records a failed start (best effort: a VM that cannot take metadata keeps nothing). */
export async function recordStartFailure(dom: Domain, message: string, at = new Date()): Promise<void> {
  const xml = `<failure at="${escapeXml(at.toISOString())}">${escapeXml(message)}</failure>`;
  await dom
    .setMetadata(MetadataType.ELEMENT, xml, { key: KEY, uri: START_FAILURE_NS, flags: ModifyFlags.CONFIG })
    .catch(() => undefined);
}

/** The recorded failure, or undefined when the last start worked (or none was recorded). */
export async function readStartFailure(
  dom: Domain,
  flags: number = ModifyFlags.CONFIG,
): Promise<StartFailure | undefined> {
  let xml: string;
  try {
    xml = await dom.metadata(MetadataType.ELEMENT, START_FAILURE_NS, flags);
  } catch {
    return undefined;
  }
  return parseStartFailure(xml);
}

/** Parses the element recordStartFailure wrote. */
export function parseStartFailure(xml: string): StartFailure | undefined {
  const m = /<failure\b[^>]*\bat="([^"]*)"[^>]*>([\s\S]*)<\/failure>/.exec(xml);
  if (!m) return undefined;
  return { at: unescape(m[1]!), message: unescape(m[2]!) };
}

function unescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&');
}

/** Forgets the recorded failure after a start that worked. */
export async function clearStartFailure(dom: Domain): Promise<void> {
  await dom
    .setMetadata(MetadataType.ELEMENT, null, { uri: START_FAILURE_NS, flags: ModifyFlags.CONFIG })
    .catch(() => undefined);
}
