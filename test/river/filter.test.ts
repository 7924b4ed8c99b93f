import { describe, expect, it } from 'vitest';
import type { RiverItem } from '../../src/model';
import { keywordMatcher, selectItems, words } from '../../src/river/filter';

describe('keyword matching', () => {
  it('segments Thai into words (no spaces) and matches whole words only', () => {
    expect(words('ข่าวเศรษฐกิจวันนี้').length).toBeGreaterThan(1);
    const m = keywordMatcher('ข่าว');
    expect(m('ข่าวเศรษฐกิจวันนี้')).toBe(true);
    // "ข้าว" (rice) is not "ข่าว" (news), and a substring inside another word is not the word.
    expect(m('ราคาข้าวสูงขึ้น')).toBe(false);
  });

  it('matches Vietnamese with and without diacritics; typed diacritics are exact', () => {
    expect(keywordMatcher('tin tuc')('Tin tức hôm nay')).toBe(true);
    expect(keywordMatcher('tin tức')('Tin tức hôm nay'.normalize('NFD'))).toBe(true);
    expect(keywordMatcher('tín')('Tin tức hôm nay')).toBe(false);
    expect(keywordMatcher('da nang')('Đà Nẵng mưa lớn')).toBe(true);
  });

  it('matches Latin words, not substrings', () => {
    expect(keywordMatcher('rice')('Rice prices rise')).toBe(true);
    expect(keywordMatcher('rice')('Pricey goods')).toBe(false);
  });
});

describe('selectItems paging', () => {
  const river: RiverItem[] = Array.from({ length: 7 }, (_, n) => ({
    key: n.toString(16).padStart(16, '0'),
    sourceId: n % 2 ? 'a' : 'b',
    title: `Item ${n}`,
    publishedAt: new Date(Date.UTC(2026, 10, 20 - n)).toISOString(),
    authors: [],
    tags: [],
    enclosures: [],
    contentHash: String(n),
    language: n % 2 ? 'th' : 'vi',
    sources: [{ id: n % 2 ? 'a' : 'b', title: 'S', feedUrl: 'https://s.test/', itemKey: String(n), publishedAt: '' }],
    firstSeenAt: '2026-11-20T00:00:00Z',
  }));

  it('walks the whole river page by page with cursors, no gaps or repeats', () => {
    const seen: string[] = [];
    let before: string | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const { page, next } = selectItems(river, { limit: 3, before });
      seen.push(...page.map((i) => i.title));
      if (!next) break;
      before = next;
    }
    expect(seen).toEqual(river.map((i) => i.title));
  });

  it('filters by language and source', () => {
    expect(selectItems(river, { limit: 50, lang: 'th' }).page.every((i) => i.language === 'th')).toBe(true);
    expect(selectItems(river, { limit: 50, source: 'b' }).page).toHaveLength(4);
  });
});
