// Identity: which items are "the same story" — within one source across polls, and across sources in a river.
import { hash64 } from '../hash';
import type { IdentityPolicy, Item, ItemDraft } from '../model';

// Tracking parameters dropped from canonical links (after Miniflux's urlcleaner and ClearURLs' common set).
const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'gclsrc',
  'dclid',
  'msclkid',
  'mc_cid',
  'mc_eid',
  'igshid',
  'yclid',
  'ysclid',
  '_hsenc',
  '_hsmi',
  '__hssc',
  '__hstc',
  '__hsfp',
  'hsctatracking',
  'mkt_tok',
  'oly_anon_id',
  'oly_enc_id',
  'rb_clickid',
  's_cid',
  'vero_conv',
  'vero_id',
  'wickedid',
  'twclid',
  'ttclid',
  'li_fat_id',
  'srsltid',
  'gbraid',
  'wbraid',
  'ga_source',
  'ga_medium',
  'ga_campaign',
  'ga_content',
  'ga_term',
  'ncid',
  'sr_share',
  'at_medium',
  'at_campaign',
  'cmpid',
  'ocid',
  '_ga',
  '_gl',
  'spm',
  'si',
  'xtor',
  'rss_source',
  'from_rss',
  'guccounter',
  'guce_referrer',
  'guce_referrer_sig',
]);

/**
 * The canonical form of a story link, for dedup only: host and path as the URL parser writes them
 * (https://url.spec.whatwg.org/#concept-basic-url-parser) without scheme, "www.", fragment or trailing slash, tracking
 * parameters removed, remaining parameters sorted. Returns undefined for anything that is not http(s).
 */
export function canonicalLink(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  u.hash = '';
  const host = u.hostname.replace(/^www\./, '');
  const kept: [string, string][] = [];
  for (const [k, v] of u.searchParams) {
    const key = k.toLowerCase();
    if (key.startsWith('utm_') || key.startsWith('pk_') || key.startsWith('mtm_') || TRACKING_PARAMS.has(key)) continue;
    kept.push([k, v]);
  }
  kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const query = kept.length ? '?' + new URLSearchParams(kept).toString() : '';
  // http and https, www and bare host, trailing slash or not: the same story for dedup purposes.
  const path = u.pathname.length > 1 ? u.pathname.replace(/\/+$/, '') : '';
  return `${host}${u.port ? ':' + u.port : ''}${path}${query}`;
}

/** A title reduced to what makes it the same headline: NFC, case-folded, punctuation and spacing ignored. */
export function titleKey(title: string): string {
  return title
    .normalize('NFC')
    .toLocaleLowerCase('und')
    .replace(/[\p{P}\p{S}\s]+/gu, ' ')
    .trim();
}

// More than this share of empty or repeated ids in one fetch → the source's ids are not trustworthy (FreshRSS does the same).
const UNTRUSTWORTHY_SHARE = 0.05;

function untrustworthy(values: (string | undefined)[]): boolean {
  if (values.length === 0) return false;
  const seen = new Set<string>();
  let bad = 0;
  for (const v of values) {
    if (!v || seen.has(v)) bad++;
    else seen.add(v);
  }
  return bad / values.length > UNTRUSTWORTHY_SHARE;
}

/** Picks the identity criterion a fetch supports: guid, else canonical link, else content. */
export function chooseIdentityPolicy(drafts: ItemDraft[]): IdentityPolicy {
  if (!untrustworthy(drafts.map((d) => d.guid))) return 'guid';
  if (!untrustworthy(drafts.map((d) => canonicalLink(d.url)))) return 'link';
  return 'content';
}

function identityValue(d: ItemDraft, policy: IdentityPolicy): string {
  if (policy === 'guid' && d.guid) return 'g:' + d.guid;
  const link = canonicalLink(d.url);
  if ((policy === 'guid' || policy === 'link') && link) return 'l:' + link;
  // The date only counts when the feed gave one: a guessed date is the fetch time and changes every poll.
  return 'c:' + hash64(`${d.title}\u0000${d.contentHtml ?? d.summaryHtml ?? ''}\u0000${d.dateGuessed ? '' : d.publishedAt}`);
}

/**
 * One item per guid and link: a feed that lists an item again (say with a corrected body) means one item, in the
 * place it first stood, with the body it gave last. Repeats would otherwise make its ids look untrustworthy and turn
 * the item into two.
 */
function withoutRepeats(drafts: ItemDraft[]): ItemDraft[] {
  const at = new Map<string, number>();
  const out: ItemDraft[] = [];
  for (const d of drafts) {
    if (!d.guid || !d.url) {
      out.push(d);
      continue;
    }
    const id = `${d.guid}\u0000${canonicalLink(d.url) ?? d.url}`;
    const i = at.get(id);
    if (i === undefined) {
      at.set(id, out.length);
      out.push(d);
    } else out[i] = { ...d, publishedAt: out[i].publishedAt, dateGuessed: out[i].dateGuessed };
  }
  return out;
}

/**
 * Gives each draft its stable key: hash of source id + identity, so feed data can never address another source's key.
 * When this fetch calls for another policy than the last one, an item the source already delivered keeps the key it
 * had (`known`): one fetch with a few missing guids must not make the whole feed new again.
 */
export function assignKeys(
  sourceId: string,
  drafts: ItemDraft[],
  previous?: { policy?: IdentityPolicy; known: Pick<ReadonlySet<string>, 'has'> },
): { items: Item[]; policy: IdentityPolicy } {
  drafts = withoutRepeats(drafts);
  const policy = chooseIdentityPolicy(drafts);
  const keyOf = (d: ItemDraft, p: IdentityPolicy): string => hash64(`${sourceId}\u0000${identityValue(d, p)}`);
  const earlier = previous?.policy && previous.policy !== policy ? previous.policy : undefined;
  const used = new Set<string>();
  const items: Item[] = [];
  for (const d of drafts) {
    const old = earlier ? keyOf(d, earlier) : undefined;
    const key = old && previous!.known.has(old) ? old : keyOf(d, policy);
    if (used.has(key)) continue; // the same item twice in one document: keep the first
    used.add(key);
    items.push({ ...d, key });
  }
  return { items, policy };
}
