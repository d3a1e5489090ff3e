import { createRequire } from 'node:module';
import type { XMLParser } from 'fast-xml-parser';
import { PhyllomeError } from '../errors.js';
import type { XmlNode } from './node.js';

/** XML that could not be read as a document. */
export class XmlParseError extends PhyllomeError {
  override name = 'XmlParseError';
  constructor(what: string, cause?: unknown) {
    super('invalid-xml', `Could not parse ${what} as XML`, {
      cause,
      hint: 'Check that the input is complete, well-formed XML.',
    });
  }
}

type Ordered = Record<string, unknown>;

type Fxp = typeof import('fast-xml-parser');
let parser: XMLParser | undefined;
let fxp: Fxp | undefined;

function lib(): Fxp {
  fxp ??= createRequire(import.meta.url)('fast-xml-parser') as Fxp;
  return fxp;
}

/** fast-xml-parser is loaded on first use: printing a model for a built-in profile never needs it. */
function getParser(): XMLParser {
  if (parser) return parser;
  parser = new (lib().XMLParser)({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    commentPropName: false,
  });
  return parser;
}

function convert(items: Ordered[]): XmlNode[] {
  const out: XmlNode[] = [];
  for (const item of items) {
    const name = Object.keys(item).find((k) => k !== ':@');
    if (!name || name === '#text') continue;
    const attrs = (item[':@'] as Record<string, string> | undefined) ?? {};
    const raw = item[name] as Ordered[];
    const texts = raw.filter((r) => '#text' in r).map((r) => String(r['#text']));
    const children = convert(raw);
    const node: XmlNode = { name, attrs: { ...attrs }, children };
    if (children.length === 0 && texts.length > 0) node.text = texts.join('');
    out.push(node);
  }
  return out;
}

/** Parses an XML document into its root element. */
export function parseXml(xml: string, what = 'the document'): XmlNode {
  let items: Ordered[];
  const valid = lib().XMLValidator.validate(xml);
  if (valid !== true) throw new XmlParseError(what, new Error(`${valid.err.msg} (line ${valid.err.line})`));
  try {
    items = getParser().parse(xml) as Ordered[];
  } catch (err) {
    throw new XmlParseError(what, err);
  }
  const root = convert(items)[0];
  if (!root) throw new XmlParseError(what);
  return root;
}
