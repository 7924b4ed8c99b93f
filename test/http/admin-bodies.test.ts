// The admin bodies' schemas, one rule each: the exact 400 message a person reads, and what a valid body becomes.
import { describe, expect, it } from 'vitest';
import { categoryBody, newSourceBody, slugOf, sourcePatchBody, valid } from '../../src/http/admin-bodies';
import { BadRequest } from '../../src/http/errors';

function refusal(schema: Parameters<typeof valid>[0], value: unknown): string {
  try {
    valid(schema, value);
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequest);
    return (err as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(value)}`);
}

const source = { url: 'https://example.com/feed', categories: ['news'] };
const SLUG_RULE = 'must match ^[a-z0-9][a-z0-9-]{0,62}$';
const KEYWORDS = 'must be an array of up to 50 keywords (non-empty strings of at most 100 characters)';

describe('POST /admin/sources body', () => {
  it.each([
    [null, 'body must be a JSON object'],
    [[1, 2], 'body must be a JSON object'],
    ['text', 'body must be a JSON object'],
    [{ ...source, colour: 'red' }, 'unknown field "colour" (allowed: discover, url, categories, title, intervalMinutes, id, paused, userAgent, headers)'],
    [{ categories: ['news'] }, '"url" must be an absolute http(s) URL'],
    [{ ...source, url: '  ' }, '"url" must be an absolute http(s) URL'],
    [{ ...source, url: 7 }, '"url" must be an absolute http(s) URL'],
    [{ url: source.url }, '"categories" must be a non-empty array of category slugs'],
    [{ ...source, categories: [] }, '"categories" must be a non-empty array of category slugs'],
    [{ ...source, categories: 'news' }, '"categories" must be a non-empty array of category slugs'],
    [{ ...source, categories: Array.from({ length: 51 }, (_, i) => `c${i}`) }, '"categories" has more than 50 entries'],
    [{ ...source, categories: ['news', 'News!'] }, `"categories[1]" ${SLUG_RULE}`],
    [{ ...source, categories: ['news', 3] }, `"categories[1]" ${SLUG_RULE}`],
    [{ ...source, categories: ['all'] }, '"all" is reserved (it is every category merged)'],
    [{ ...source, title: 7 }, '"title" must be a string'],
    [{ ...source, title: `  ${'t'.repeat(501)}  ` }, '"title" is longer than 500 characters'],
    [{ ...source, intervalMinutes: 4 }, '"intervalMinutes" must be a whole number of minutes from 5 to 10080'],
    [{ ...source, intervalMinutes: 10081 }, '"intervalMinutes" must be a whole number of minutes from 5 to 10080'],
    [{ ...source, intervalMinutes: 7.5 }, '"intervalMinutes" must be a whole number of minutes from 5 to 10080'],
    [{ ...source, intervalMinutes: '15' }, '"intervalMinutes" must be a whole number of minutes from 5 to 10080'],
    [{ ...source, id: 'Bad Id' }, `"id" ${SLUG_RULE}`],
    [{ ...source, id: null }, `"id" ${SLUG_RULE}`],
    [{ ...source, id: 'all' }, '"all" is reserved (it is every category merged)'],
    [{ ...source, discover: 'no' }, '"discover" must be true or false'],
    [{ ...source, paused: null }, '"paused" must be true or false'],
    [{ ...source, userAgent: '' }, '"userAgent" must be a non-empty string'],
    [{ ...source, headers: { Host: 'x' } }, 'header "Host" is not allowed (allowed: Accept-Language, Cookie, Authorization)'],
  ])('refuses %j: %s', (body, message) => {
    expect(refusal(newSourceBody, body)).toBe(message);
  });

  it('refuses an unknown field before any other', () => {
    expect(refusal(newSourceBody, { colour: 'red', categories: 'news' })).toMatch(/^unknown field "colour"/);
  });

  it('trims, drops repeated categories, and reads null and empty text as none', () => {
    const body = valid(newSourceBody, {
      ...source,
      url: ' https://example.com/feed ',
      categories: ['news', 'local', 'news'],
      title: '  ',
      intervalMinutes: null,
    });
    expect(body).toMatchObject({ url: 'https://example.com/feed', categories: ['news', 'local'], title: null, intervalMinutes: null });
    expect(body.id).toBeUndefined();
    expect(body.userAgent).toBeUndefined();
    expect(valid(newSourceBody, { ...source, userAgent: null, headers: { 'accept-language': 'th' } })).toMatchObject({
      userAgent: null,
      headers: { 'Accept-Language': 'th' },
    });
  });
});

describe('PATCH /admin/sources/:id body', () => {
  it('leaves absent fields undefined and gives null for the ones to clear', () => {
    const body = valid(sourcePatchBody, { title: '', intervalMinutes: null, headers: null });
    expect(body).toMatchObject({ title: null, intervalMinutes: null, headers: null });
    expect(body.url).toBeUndefined();
    expect(body.categories).toBeUndefined();
    expect(body.paused).toBeUndefined();
  });

  it.each([
    [{ id: 'x' }, 'unknown field "id" (allowed: paused, userAgent, headers, url, categories, title, intervalMinutes)'],
    [{ url: null }, '"url" must be an absolute http(s) URL'],
    [{ categories: null }, '"categories" must be a non-empty array of category slugs'],
  ])('refuses %j: %s', (body, message) => {
    expect(refusal(sourcePatchBody, body)).toBe(message);
  });
});

describe('PUT /admin/categories/:slug body', () => {
  it.each([
    [{}, '"title" is required'],
    [{ title: null }, '"title" is required'],
    [{ title: '   ' }, '"title" is required'],
    [{ title: 'x'.repeat(201) }, '"title" is longer than 200 characters'],
    [{ title: 'T', description: 'd'.repeat(2001) }, '"description" is longer than 2000 characters'],
    [{ title: 'T', language: 'not a tag!' }, '"language" must be a BCP 47 tag such as "th" or "vi-VN"'],
    [{ title: 'T', language: 'x'.repeat(36) }, '"language" is longer than 35 characters'],
    [{ title: 'T', include: 'war' }, `"include" ${KEYWORDS}`],
    [{ title: 'T', include: [' '] }, `"include" ${KEYWORDS}`],
    [{ title: 'T', exclude: ['k'.repeat(101)] }, `"exclude" ${KEYWORDS}`],
    [{ title: 'T', exclude: Array.from({ length: 51 }, (_, i) => `k${i}`) }, `"exclude" ${KEYWORDS}`],
    [{ title: 'T', slug: 'x' }, 'unknown field "slug" (allowed: title, description, language, include, exclude)'],
  ])('refuses %j: %s', (body, message) => {
    expect(refusal(categoryBody, body)).toBe(message);
  });

  it('trims, NFC-normalizes and dedups keywords', () => {
    const body = valid(categoryBody, { title: ' Tin ', language: 'vi', include: [' Việt ', 'Vie\u0323\u0302t', 'x'], exclude: [] });
    expect(body).toMatchObject({ title: 'Tin', language: 'vi', include: ['Việt', 'x'], exclude: [] });
  });

  it('checks the path slug with the same rule', () => {
    expect(refusal(slugOf('slug'), 'Bad_Slug')).toBe(`"slug" ${SLUG_RULE}`);
    expect(valid(slugOf('slug'), 'news')).toBe('news');
  });
});
