// The DOCTYPE, read for the one thing feeds use it for: a few general entities with literal values
// (`<!ENTITY id "tag:example.com,">`). What else a DTD can do is how XML readers are attacked: files and URLs read
// through external entities, out-of-band exfiltration through parameter entities, billion laughs, quadratic blowup.
// A document that tries it is refused whole, with a code, rather than stored with `&exfil;` standing in its text.

/** Why a document was refused: each is a shape only attacks produce. */
export type HostileXmlCode = 'repeated-doctype' | 'parameter-entity' | 'external-entity' | 'too-many-entities' | 'entity-expansion' | 'nesting-too-deep';

export interface XmlRefusal {
  code: HostileXmlCode;
  /** What the document does, in words for the status page. */
  reason: string;
}

/** The general entities a document declared, and how much text expanding them may still add. */
export interface EntityTable {
  /** Replacement text by name, references inside it already expanded (so a use never recurses). */
  values: Map<string, string>;
  declarations: number;
  /** Characters expansion may still add, declarations and the document's text together. */
  budget: number;
  refusal?: XmlRefusal;
}

/** More declarations than this is an attack: XHTML's three entity sets, inlined whole, are 253. */
export const MAX_ENTITY_DECLARATIONS = 1_000;

/** Entities may add as much text as the document holds, or 64 KiB if more: work stays linear in its size. */
const EXPANSION_FLOOR = 65_536;

/** Public ids of the XHTML and HTML 4 entity sets: names every HTML reader knows, so nothing is fetched for them. */
const KNOWN_ENTITY_SETS = new Set([
  '-//W3C//ENTITIES Latin 1 for XHTML//EN',
  '-//W3C//ENTITIES Symbols for XHTML//EN',
  '-//W3C//ENTITIES Special for XHTML//EN',
  '-//W3C//ENTITIES Latin1//EN//HTML',
  '-//W3C//ENTITIES Symbols//EN//HTML',
  '-//W3C//ENTITIES Special//EN//HTML',
]);

/** An empty entity table whose expansion budget is the document's length, or 64 KiB if that is more (XML 1.0 §4.2, https://www.w3.org/TR/xml/#sec-entity-decl). */
export function entityTable(sourceLength: number): EntityTable {
  return { values: new Map(), declarations: 0, budget: Math.max(EXPANSION_FLOOR, sourceLength) };
}

/** Records the first reason a document is refused for. */
export function refuse(table: EntityTable, code: HostileXmlCode, reason: string): void {
  table.refusal ??= { code, reason };
}

/** `decode` expands references in text (charging `table.budget`); `warn` notes what was recovered from. */
export interface SubsetReader {
  table: EntityTable;
  decode: (raw: string) => string;
  warn: (warning: string) => void;
}

/**
 * Reads the DOCTYPE at `start` ("<!DOCTYPE"): the position after it, or -1 when the document ends inside it.
 * A refusal is left in `reader.table.refusal`.
 */
export function readDoctype(source: string, start: number, reader: SubsetReader): number {
  const open = doctypeHeadEnd(source, start + 9);
  if (open === -1 || source.charCodeAt(open) === 62 /* > */) return open === -1 ? -1 : open + 1;
  const close = readInternalSubset(source, open + 1, reader);
  if (close === -1) return -1;
  const gt = source.indexOf('>', close);
  return gt === -1 ? -1 : gt + 1;
}

/** Where the DOCTYPE's name and ids end: its '[' or '>' (quoted ids may hold either), or -1. */
function doctypeHeadEnd(source: string, p: number): number {
  for (; p < source.length; p++) {
    const c = source.charCodeAt(p);
    if (c === 91 /* [ */ || c === 62 /* > */) return p;
    if (c === 34 || c === 39) {
      p = source.indexOf(c === 34 ? '"' : "'", p + 1);
      if (p === -1) return -1;
    }
  }
  return -1;
}

/** Reads declarations up to the subset's closing ']': its position, or -1 (cut short, or refused). */
function readInternalSubset(source: string, p: number, reader: SubsetReader): number {
  // Parameter entities declared so far: true for a known entity set, whose reference is harmless.
  const parameterEntities = new Map<string, boolean>();
  while (p !== -1 && p < source.length && !reader.table.refusal) {
    const c = source.charCodeAt(p);
    if (c === 93 /* ] */) return p;
    if (c === 37 /* % */) p = readParameterReference(source, p, parameterEntities, reader.table);
    else if (source.startsWith('<!--', p)) p = endAfter(source, '-->', p + 4);
    else if (source.startsWith('<?', p)) p = endAfter(source, '?>', p + 2);
    else if (source.startsWith('<!ENTITY', p)) p = readEntityDeclaration(source, p, parameterEntities, reader);
    else if (c === 60 /* < */)
      p = declarationEnd(source, p); // ELEMENT, ATTLIST, NOTATION: nothing feeds need
    else p++;
  }
  return -1;
}

function endAfter(source: string, terminator: string, from: number): number {
  const end = source.indexOf(terminator, from);
  return end === -1 ? -1 : end + terminator.length;
}

/** The position after a markup declaration's '>' (quoted values may hold '>'), or -1. */
function declarationEnd(source: string, p: number): number {
  for (; p < source.length; p++) {
    const c = source.charCodeAt(p);
    if (c === 62 /* > */) return p + 1;
    if (c === 34 || c === 39) {
      p = source.indexOf(c === 34 ? '"' : "'", p + 1);
      if (p === -1) return -1;
    }
  }
  return -1;
}

const PARAMETER_REFERENCE = /%([^\s%;<>"']+);/y;

/** `%name;` in the subset pulls in a DTD we never read; only the well-known HTML entity sets pass. */
function readParameterReference(source: string, p: number, parameterEntities: Map<string, boolean>, table: EntityTable): number {
  PARAMETER_REFERENCE.lastIndex = p;
  const m = PARAMETER_REFERENCE.exec(source);
  if (!m) return p + 1;
  if (parameterEntities.get(m[1]) !== true) refuse(table, 'parameter-entity', `parameter entity %${m[1]}; in the DOCTYPE`);
  return p + m[0].length;
}

// <!ENTITY [%] name ( "value" | SYSTEM "uri" | PUBLIC "id" "uri" ): groups 1 %, 2 name, 3/4 value, 5 keyword, 6/7 and 8/9 ids.
const ENTITY_DECLARATION = /<!ENTITY\s+(%\s+)?([^\s%;<>"']+)\s*(?:"([^"]*)"|'([^']*)'|(SYSTEM|PUBLIC)\s*(?:"([^"]*)"|'([^']*)')\s*(?:"([^"]*)"|'([^']*)')?)?/y;

function readEntityDeclaration(source: string, p: number, parameterEntities: Map<string, boolean>, reader: SubsetReader): number {
  const { table } = reader;
  if (++table.declarations > MAX_ENTITY_DECLARATIONS) {
    refuse(table, 'too-many-entities', `more than ${MAX_ENTITY_DECLARATIONS.toLocaleString('en')} entity declarations in the DOCTYPE`);
    return -1;
  }
  ENTITY_DECLARATION.lastIndex = p;
  const m = ENTITY_DECLARATION.exec(source);
  if (!m) {
    reader.warn('malformed entity declaration');
    return declarationEnd(source, p + 2);
  }
  const [, parameter, name, double, single, keyword, id1, id1s, id2, id2s] = m;
  const firstId = id1 ?? id1s ?? '';
  if (parameter) parameterEntities.set(name, keyword === 'PUBLIC' && KNOWN_ENTITY_SETS.has(firstId.replace(/\s+/g, ' ').trim()));
  else if (keyword) {
    const uri = keyword === 'SYSTEM' ? firstId : (id2 ?? id2s ?? firstId);
    refuse(table, 'external-entity', `external entity &${name}; (${keyword} "${uri.slice(0, 100)}"): Tributary reads no file or URL a document names`);
  } else declareGeneralEntity(name, double ?? single, reader);
  return declarationEnd(source, p + m[0].length);
}

/** A literal value: references to earlier entities are expanded now, within the budget; markup in it is not read. */
function declareGeneralEntity(name: string, literal: string | undefined, reader: SubsetReader): void {
  const { table } = reader;
  if (literal === undefined) {
    reader.warn(`malformed entity declaration ${name}`);
    return;
  }
  // Parameter references in a value are how out-of-band XXE builds its exfiltration URL.
  if (/%[^\s%;<>"']+;/.test(literal)) {
    refuse(table, 'parameter-entity', `parameter entity reference in the value of &${name};`);
    return;
  }
  if (literal.includes('<')) {
    reader.warn(`ignored entity ${name}`);
    return;
  }
  const value = literal.includes('&') ? reader.decode(literal) : literal;
  // The first declaration of a name is the binding one (XML 1.0 §4.2).
  if (!table.refusal && !table.values.has(name)) table.values.set(name, value);
}
