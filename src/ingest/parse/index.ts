// Text → ParsedFeed: detects the format and dispatches; a document that is not a feed is an error value.
import { failed, type Result } from '../../errors';
import type { ParsedFeed } from '../../model';
import { parseAtom } from './atom';
import { parseJsonFeed } from './jsonfeed';
import { parseRss } from './rss';
import { parseXml, type XmlFailureCode } from './xml';

/** Why a decoded body is no feed: `html-page` (a moved feed, a login wall) is told apart, since discovery reads it. */
export type ParseFailureCode = 'empty' | 'html-page' | XmlFailureCode;

export type ParseResult = Result<{ feed: ParsedFeed }, ParseFailureCode>;

const htmlPage = () => failed('html-page', 'not a feed: HTML page');

export interface ParseOptions {
  /** Document URL: the outermost base for relative xml:base values. */
  url?: string;
}

function firstNonSpace(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 0xfeff) return i;
  }
  return -1;
}

/** Detects the format of a decoded body (JSON Feed, RSS, RDF, Atom) and reads it; an HTML page or other XML is an error value. */
export function parseFeed(text: string, options: ParseOptions = {}): ParseResult {
  const start = firstNonSpace(text);
  if (start === -1) return failed('empty', 'empty body');
  const first = text[start];
  if (first === '{' || first === '[') return parseJsonFeed(text);
  if (first !== '<') return failed('not-a-feed', 'not a feed: neither XML nor JSON');
  // An HTML page is common (a moved feed, a login wall): say so before the XML reader trips on it.
  const head = text.slice(start, start + 512).toLowerCase();
  if (/^<!doctype\s+html|^<html[\s>]|^<head[\s>]|^<body[\s>]/.test(head) || /^<!--[\s\S]*?-->\s*<(!doctype\s+html|html)/.test(head)) {
    return htmlPage();
  }
  const doc = parseXml(text, options.url);
  const root = doc.root;
  if (root && root.local.toLowerCase() === 'html') return htmlPage();
  if (doc.failure) return doc.failure;
  if (!root) return failed('not-a-feed', 'not a feed: no XML element');
  const warnings = doc.warnings;
  const name = root.local;
  if (name === 'rss' || name === 'RDF' || (name === 'channel' && root.ns === '') || name === 'rdf') {
    if (name === 'rdf' || (name === 'RDF' && root.ns !== 'rdf')) warnings.push('RDF root in an unexpected namespace');
    const feed = parseRss(name === 'rdf' ? { ...root, local: 'RDF' } : root, warnings);
    return { ok: true, feed };
  }
  if (name === 'feed') {
    return { ok: true, feed: parseAtom(root, warnings) };
  }
  if (name === 'entry' && (root.ns === 'atom' || root.ns === 'atom03')) return failed('not-a-feed', 'not a feed: Atom entry document');
  return failed('not-a-feed', `not a feed: XML root <${root.qname}>`);
}
