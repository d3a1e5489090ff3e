/** A plain XML element: the one tree shape the model builds, parses and keeps for unknown elements. */
export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Text content; only for elements without child elements. */
  text?: string;
}

type AttrValue = string | number | boolean | undefined;

/** Builds an element; attributes whose value is undefined are left out, booleans become yes/no. */
export function el(
  name: string,
  attrs: Record<string, AttrValue> = {},
  children: (XmlNode | undefined | false)[] | string = [],
): XmlNode {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    out[k] = typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
  }
  if (typeof children === 'string') return { name, attrs: out, children: [], text: children };
  return { name, attrs: out, children: children.filter((c): c is XmlNode => Boolean(c)) };
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function childrenNamed(node: XmlNode | undefined, name: string): XmlNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

export function textOf(node: XmlNode | undefined, name: string): string | undefined {
  return child(node, name)?.text;
}

/** The children a parser did not consume, kept so that unknown XML survives a round trip. */
export function unknownChildren(node: XmlNode | undefined, known: readonly string[]): XmlNode[] {
  return node ? node.children.filter((c) => !known.includes(c.name)) : [];
}

export function yesNo(value: string | undefined): boolean | undefined {
  if (value === 'yes' || value === 'on') return true;
  if (value === 'no' || value === 'off') return false;
  return undefined;
}

export function intAttr(node: XmlNode | undefined, name: string): number | undefined {
  const v = node?.attrs[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
