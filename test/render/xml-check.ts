// Shared checks for rendered XML: well-formed per fast-xml-parser's validator, no character XML 1.0 forbids,
// and a parse back to plain objects to compare values with what went in.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect } from 'vitest';

/** Any code point XML 1.0 forbids, including lone surrogates (the `u` flag keeps valid pairs whole). */
export const FORBIDDEN_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/u;

export function expectWellFormed(xml: string): void {
  const result = XMLValidator.validate(xml);
  expect(result, typeof result === 'object' ? JSON.stringify(result.err) : '').toBe(true);
  expect(FORBIDDEN_XML_CHAR.test(xml)).toBe(false);
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  // Repeatable elements always as arrays; Atom's <link> repeats, RSS's <link> does not.
  isArray: (name, jPath) =>
    ['item', 'entry', 'category', 'tributary:source', 'atom:link', 'author', 'media:content', 'outline'].includes(name) ||
    (name === 'link' && String(jPath).startsWith('feed')),
});

// biome-ignore lint/suspicious/noExplicitAny: fast-xml-parser's tree, read path by path by the assertions
export function parseXml(xml: string): any {
  return parser.parse(xml);
}

/** Text of an element parsed with attributes (fast-xml-parser puts it in #text then). */
export function text(node: unknown): string {
  if (typeof node === 'string') return node;
  if (node && typeof node === 'object' && '#text' in node) return String((node as Record<string, unknown>)['#text']);
  return '';
}
