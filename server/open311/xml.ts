/**
 * The XML form of an Open311 answer, from the same value as its JSON form (the Spark convention the
 * spec uses): an object's fields are child elements, an array is a list element whose items are named
 * by `ITEM_NAMES` (`services` → `service`, `service_requests` → `request`, …), null is an empty element.
 * Schemaless, no namespace, UTF-8, as the spec asks.
 */

/** The element of each item of a list element, as in the spec's examples. */
export const ITEM_NAMES: Readonly<Record<string, string>> = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
  attributes: 'attribute',
  values: 'value',
};

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

/** XML 1.0's `Char`: tab, line ends and the rest of Unicode but other controls, surrogates and U+FFFE/F. */
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Drops what XML cannot carry at all (a lone surrogate is iterated as itself and dropped). */
function xmlChars(text: string): string {
  let out = '';
  for (const ch of text) if (isXmlChar(ch.codePointAt(0) ?? 0)) out += ch;
  return out;
}

/** Text safe inside an element or an attribute value: markup characters escaped, impossible ones dropped. */
export function escapeXml(text: string): string {
  return xmlChars(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function element(name: string, value: unknown, out: string[]): void {
  if (!NAME.test(name)) throw new Error(`not an XML element name: ${name}`);
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) {
    out.push(`<${name}/>`);
    return;
  }
  if (Array.isArray(value)) {
    const item = ITEM_NAMES[name];
    if (item === undefined) throw new Error(`no item element for the list ${name}`);
    out.push(`<${name}>`);
    for (const v of value) element(item, v, out);
    out.push(`</${name}>`);
    return;
  }
  if (typeof value === 'object') {
    out.push(`<${name}>`);
    for (const [key, v] of Object.entries(value)) element(key, v, out);
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}>${escapeXml(String(value))}</${name}>`);
}

/** A whole document: the declaration and `root` holding `value`. */
export function toXml(root: string, value: unknown): string {
  const out: string[] = [];
  element(root, value, out);
  return `${XML_DECLARATION}\n${out.join('')}`;
}
