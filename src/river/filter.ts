// Query-time selection of river items: keyword (word-aware, Thai included), language, source, paging cursor.
import type { Category, Item, RiverItem } from '../model';

const segmenter = new Intl.Segmenter('und', { granularity: 'word' });

// Marks on Latin letters are diacritics to fold; Thai vowels and tone marks are also \p{M} but spell the word.
const LATIN_MARKS = /(\p{Script=Latin})\p{M}+/gu;

/** Folds case, and Latin diacritics too (Vietnamese "tin tuc" finds "tin tức"); đ has no decomposition of its own. */
function fold(text: string, dropMarks: boolean): string {
  let t = text.normalize('NFC').toLocaleLowerCase('und');
  if (dropMarks) t = t.normalize('NFD').replace(LATIN_MARKS, '$1').replace(/đ/g, 'd').normalize('NFC');
  return t;
}

/** Words of a text, by ICU's word breaker (https://unicode.org/reports/tr29/#Word_Boundaries; dictionary-based for Thai, which has no spaces). */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const s of segmenter.segment(text)) if (s.isWordLike) out.push(s.segment);
  return out;
}

/**
 * A keyword query: its words must appear, in order and adjacent, among the text's words. A query typed without
 * diacritics matches with or without them; one typed with them matches them exactly.
 */
export function keywordMatcher(query: string): (text: string) => boolean {
  const n = keywordNeedle(query);
  return n ? (text) => needleMatches(n, foldedWords(text)) : () => true;
}

/**
 * The words of a text, space-delimited, folded as a query asks: `plain` drops Latin diacritics. Each folding is
 * computed once, when first asked for (a River stores the plain one beside every entry).
 */
export type FoldedWords = (plain: boolean) => string;

/** A text's FoldedWords, each folding made when first asked for. */
export function foldedWords(text: string): FoldedWords {
  const memo: [string?, string?] = [];
  return (plain) => (memo[plain ? 1 : 0] ??= ` ${words(fold(text, plain)).join(' ')} `);
}

/** A keyword query as one substring test on folded words: the same words-in-order match as keywordMatcher. */
export interface KeywordNeedle {
  /** The query was typed without diacritics: match the plain folding. */
  plain: boolean;
  needle: string;
  /** The needle in the plain folding: every match contains it, so it can pre-select in SQL. */
  plainNeedle: string;
}

/** A keyword query as a needle; undefined when the query has no words. */
export function keywordNeedle(query: string): KeywordNeedle | undefined {
  const q = query.normalize('NFC');
  const dropMarks = !/\p{Script=Latin}\p{M}/u.test(q.normalize('NFD')) && !/đ/i.test(q);
  const qWords = words(fold(q, dropMarks));
  if (qWords.length === 0) return undefined;
  const plainNeedle = ` ${words(fold(q, true)).join(' ')} `;
  return { plain: dropMarks, needle: ` ${qWords.join(' ')} `, plainNeedle };
}

/** Whether the folded words hold the needle's words, in order and adjacent. */
export function needleMatches(n: KeywordNeedle, folded: FoldedWords): boolean {
  return folded(n.plain).includes(n.needle);
}

/** A category's keyword rules over an item's folded words; undefined when the category has none. */
export function indexRule(category: Pick<Category, 'include' | 'exclude'>): ((folded: FoldedWords) => boolean) | undefined {
  const needles = (list: string[] | undefined) => (list ?? []).map(keywordNeedle).filter((n): n is KeywordNeedle => n !== undefined);
  const include = needles(category.include);
  const exclude = needles(category.exclude);
  if (include.length === 0 && exclude.length === 0) return undefined;
  return (folded) => (include.length === 0 || include.some((n) => needleMatches(n, folded))) && !exclude.some((n) => needleMatches(n, folded));
}

function stripTags(html: string | undefined): string {
  return html ? html.replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ') : '';
}

/** The text a keyword rule or query looks at. */
export function searchableText(item: Pick<Item, 'title' | 'summaryHtml' | 'tags'>): string {
  return `${item.title}\n${stripTags(item.summaryHtml)}\n${item.tags.join(' ')}`;
}

/** A category's keyword rules as one test; undefined when the category has none (everything belongs). */
export function categoryRule(category: Pick<Category, 'include' | 'exclude'>): ((item: Pick<Item, 'title' | 'summaryHtml' | 'tags'>) => boolean) | undefined {
  const rule = indexRule(category);
  return rule ? (item) => rule(foldedWords(searchableText(item))) : undefined;
}

export interface RiverQuery {
  limit: number;
  /** Cursor from a previous page's next link: items strictly older than it. */
  before?: string;
  lang?: string;
  source?: string;
  q?: string;
}

/** The cursor of the page after this item (the CURSOR shape): items strictly older than it. */
export function cursorOf(item: RiverItem): string {
  return `${Date.parse(item.publishedAt)}.${item.key}`;
}

/** The shape of a paging cursor: publication time in ms, a dot, the item key. */
export const CURSOR = /^(-?\d+)\.([0-9a-f]+)$/;

function olderThan(cursor: string): (item: RiverItem) => boolean {
  const m = CURSOR.exec(cursor);
  if (!m) return () => true;
  const t = Number(m[1]);
  const key = m[2];
  return (item) => {
    const it = Date.parse(item.publishedAt);
    return it < t || (it === t && item.key > key);
  };
}

/** One page of the river for a query, and the cursor of the next page when there is one. */
export function selectItems(items: RiverItem[], query: RiverQuery): { page: RiverItem[]; next?: string } {
  const tests: ((i: RiverItem) => boolean)[] = [];
  if (query.before) tests.push(olderThan(query.before));
  if (query.lang) {
    const lang = query.lang.toLowerCase();
    tests.push((i) => (i.language ?? '').toLowerCase().split('-')[0] === lang.split('-')[0]);
  }
  if (query.source) tests.push((i) => i.sources.some((s) => s.id === query.source));
  if (query.q) {
    const match = keywordMatcher(query.q);
    tests.push((i) => match(searchableText(i)));
  }
  const page: RiverItem[] = [];
  for (const item of items) {
    if (!tests.every((t) => t(item))) continue;
    if (page.length === query.limit) return { page, next: cursorOf(page[page.length - 1]) };
    page.push(item);
  }
  return { page };
}
