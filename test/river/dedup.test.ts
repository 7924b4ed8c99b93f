import { describe, expect, it } from 'vitest';
import type { ItemDraft } from '../../src/model';
import { assignKeys, canonicalLink, chooseIdentityPolicy, titleKey } from '../../src/river/dedup';

function draft(over: Partial<ItemDraft>): ItemDraft {
  return {
    sourceId: 's1',
    title: 'A story',
    publishedAt: '2026-11-20T10:00:00.000Z',
    authors: [],
    tags: [],
    enclosures: [],
    contentHash: 'h',
    ...over,
  };
}

describe('canonicalLink', () => {
  it.each([
    ['HTTPS://WWW.Example.COM:443/News/1?utm_source=rss&utm_medium=feed#top', 'example.com/News/1'],
    ['http://example.com:80/a?b=2&a=1', 'example.com/a?a=1&b=2'],
    ['https://example.com/a/?fbclid=x&gclid=y&id=7&mc_cid=1&_hsenc=p', 'example.com/a?id=7'],
    ['https://example.com:8443/a', 'example.com:8443/a'],
    ['https://example.com/x?ref=other.org', 'example.com/x?ref=other.org'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalLink(input)).toBe(expected);
  });

  it('refuses what is not http(s)', () => {
    expect(canonicalLink('javascript:alert(1)')).toBeUndefined();
    expect(canonicalLink('not a url')).toBeUndefined();
    expect(canonicalLink(undefined)).toBeUndefined();
  });
});

describe('titleKey', () => {
  it('treats NFC and NFD Vietnamese, case and punctuation as the same headline', () => {
    const nfc = 'Hà Nội: Khai mạc Lễ hội Văn hóa!'.normalize('NFC');
    const nfd = 'hà nội — khai mạc lễ hội văn hóa'.normalize('NFD');
    expect(nfc).not.toBe(nfd);
    expect(titleKey(nfc)).toBe(titleKey(nfd));
  });
  it('keeps Thai text intact', () => {
    expect(titleKey('ข่าวเศรษฐกิจ วันนี้')).toBe('ข่าวเศรษฐกิจ วันนี้');
  });
});

describe('identity policy', () => {
  it('uses guids when they are unique', () => {
    const drafts = [draft({ guid: 'a', url: 'https://x.test/1' }), draft({ guid: 'b', url: 'https://x.test/2' })];
    expect(chooseIdentityPolicy(drafts)).toBe('guid');
  });

  it('falls back to links when a feed reuses one guid for every item, and items stay distinct', () => {
    const drafts = [1, 2, 3, 4].map((n) => draft({ guid: 'same', url: `https://x.test/${n}`, title: `T${n}` }));
    const { items, policy } = assignKeys('s1', drafts);
    expect(policy).toBe('link');
    expect(new Set(items.map((i) => i.key)).size).toBe(4);
  });

  it('falls back to content when guids and links are both useless', () => {
    const drafts = [1, 2, 3].map((n) => draft({ title: `Story ${n}`, url: 'https://x.test/' }));
    const { items, policy } = assignKeys('s1', drafts);
    expect(policy).toBe('content');
    expect(new Set(items.map((i) => i.key)).size).toBe(3);
  });

  it('gives the same guid in two sources two different keys, and the same item the same key every poll', () => {
    const a = assignKeys('s1', [draft({ guid: 'g1' })]).items[0].key;
    const b = assignKeys('s2', [draft({ guid: 'g1', sourceId: 's2' })]).items[0].key;
    const again = assignKeys('s1', [draft({ guid: 'g1', title: 'edited' })]).items[0].key;
    expect(a).not.toBe(b);
    expect(again).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('ignores a guessed date in content identity (it is the fetch time and moves every poll)', () => {
    const one = assignKeys('s1', [draft({ title: 'x', dateGuessed: true, publishedAt: '2026-11-20T10:00:00.000Z' })]);
    const two = assignKeys('s1', [draft({ title: 'x', dateGuessed: true, publishedAt: '2026-11-20T10:15:00.000Z' })]);
    expect(one.policy).toBe('content');
    expect(one.items[0].key).toBe(two.items[0].key);
  });
});

describe('identity across a policy change', () => {
  it('keeps the keys of items the source already delivered when one fetch flips the policy', () => {
    const clean = Array.from({ length: 10 }, (_, n) => draft({ guid: `g${n}`, url: `https://x.test/${n}`, title: `Story ${n}` }));
    const first = assignKeys('s1', clean);
    expect(first.policy).toBe('guid');
    const known = new Set(first.items.map((i) => i.key));
    // One guid goes missing: 10 % empty ids, over the threshold, so this fetch asks for link identity.
    const flaky = clean.map((d, n) => (n === 0 ? { ...d, guid: undefined } : d));
    const second = assignKeys('s1', flaky, { policy: first.policy, known });
    expect(second.policy).toBe('link');
    // Nine items keep their guid keys; the one without a guid can only be matched by its link.
    expect(second.items.filter((i) => known.has(i.key))).toHaveLength(9);
    // Without the memory, every key would have changed.
    expect(assignKeys('s1', flaky).items.filter((i) => known.has(i.key))).toHaveLength(0);
  });
});

describe('a feed that lists an item twice', () => {
  it('is one item where it first stood, with the body it gave last (its guids stay trusted)', () => {
    const draft = (guid: string, title: string, body: string, url = `https://repeat.test/${guid}`) => ({
      sourceId: 'rep',
      guid,
      url,
      title,
      summaryHtml: body,
      publishedAt: '2026-11-20T08:00:00.000Z',
      authors: [],
      tags: [],
      enclosures: [],
      contentHash: `${title}|${body}`,
    });
    const { items, policy } = assignKeys('rep', [
      draft('1', 'Budget vote', 'first draft'),
      draft('2', 'Flood news', 'x'),
      draft('1', 'Budget vote', 'corrected'),
    ]);
    expect(policy).toBe('guid');
    expect(items.map((i) => [i.guid, i.summaryHtml])).toEqual([
      ['1', 'corrected'],
      ['2', 'x'],
    ]);
    expect(items[0].key).toBe(assignKeys('rep', [draft('1', 'Budget vote', 'first draft')]).items[0].key);
  });
});
