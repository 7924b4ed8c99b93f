// The string-based date spelling (instant, rfc822Of, updatedInstant) says exactly what the Date-based one says.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstDate, firstInstant, instant, itemIds, rfc3339, rfc822, rfc822Of, rfc822Writer, updatedInstant } from '../../src/render/fields';
import { riverItem } from './sample-river';

/** What the renderers wrote before: parse with Date, spell with toUTCString / toISOString. */
const viaDate = (value: string | undefined) => {
  const date = firstDate(value);
  return { rfc3339: rfc3339(date), rfc822: rfc822(date) };
};

const EDGES = [
  '2025-01-01T16:30:00Z', // what ingest stores
  '2025-01-01T16:30:00.000Z', // what toISOString gives
  '2025-01-01T16:30:00.250Z',
  '2024-02-29T23:59:59Z', // leap day
  '2025-02-29T00:00:00Z', // no such day: Date rolls over to March 1
  '2025-02-30T00:00:00.000Z',
  '2100-02-29T12:00:00Z', // not a leap year
  '2000-02-29T12:00:00Z', // a leap year
  '2025-01-01T24:00:00Z', // Date reads the end of the day
  '2025-01-01T23:59:60Z', // leap second: not a Date
  '1899-12-31T23:59:59Z', // before what RFC 822 readers expect: falls back
  '1900-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '2025-01-01T16:30:00+07:00',
  '2025-01-01',
  'Wed, 01 Jan 2025 16:30:00 GMT',
  '2025-01-01T16:30:00.5Z',
  '2025-01-01T16:30:00.-12Z',
  '２０２５-01-01T16:30:00Z',
  'not a date',
  '',
];

describe('instant and rfc822Of', () => {
  it('spell the edge cases as Date does', () => {
    for (const value of EDGES) {
      const expected = viaDate(value);
      expect(firstInstant(value), value).toBe(expected.rfc3339);
      expect(rfc822Of(firstInstant(value)), value).toBe(expected.rfc822);
    }
    expect(instant('1899-12-31T23:59:59Z')).toBeUndefined();
    expect(instant('2025-01-01T16:30:00.000Z')).toBe('2025-01-01T16:30:00Z');
  });

  it('spell any instant from 1900 to 9999 as Date does, in both stored shapes', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (date) => {
        const iso = date.toISOString();
        for (const value of [iso, iso.replace(/\.\d{3}Z$/, 'Z')]) {
          const expected = viaDate(value);
          expect(firstInstant(value)).toBe(expected.rfc3339);
          expect(rfc822Of(firstInstant(value))).toBe(expected.rfc822);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('agree with Date for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/)), (value) => {
        const expected = viaDate(value);
        expect(firstInstant(value)).toBe(expected.rfc3339);
        expect(rfc822Of(firstInstant(value))).toBe(expected.rfc822);
      }),
      { numRuns: 500 },
    );
  });

  it('spell a run of instants the same through the day-remembering writer', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(...EDGES),
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          ),
          { maxLength: 30 },
        ),
        (values) => {
          const write = rfc822Writer();
          for (const value of values) expect(write(firstInstant(value))).toBe(viaDate(value).rfc822);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('take updatedAt only when it is later than published, across both shapes', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2e12, max: 2e12 }), fc.integer({ min: -5000, max: 5000 }), fc.boolean(), (millis, delta, trimUpdated) => {
        const published = firstInstant(new Date(millis).toISOString());
        let updatedAt = new Date(millis + delta).toISOString();
        if (trimUpdated) updatedAt = updatedAt.replace(/\.\d{3}Z$/, 'Z');
        const item = riverItem({ key: 'k', sourceId: 's', title: 't', updatedAt });
        const updated = updatedInstant(item, published);
        const later = Date.parse(firstInstant(updatedAt)) > Date.parse(published);
        expect(updated).toBe(later ? firstInstant(updatedAt) : published);
      }),
      { numRuns: 300 },
    );
  });
});

describe('itemIds', () => {
  it('encodes the source id once and keeps ids unique', () => {
    const items = [
      riverItem({ key: 'a b', sourceId: 'só/1', title: 'x' }),
      riverItem({ key: 'c', sourceId: 'só/1', title: 'y' }),
      riverItem({ key: 'c', sourceId: 'só/1', title: 'z' }),
      riverItem({ key: 'd', sourceId: 'other', title: 'w', guid: 'https://example.test/d', guidIsPermaLink: true }),
      riverItem({ key: 'e', sourceId: 'other', title: 'v', guid: 'Https://example.test/d', guidIsPermaLink: true }),
      riverItem({ key: 'f', sourceId: 'other', title: 'u', guid: 'hello', guidIsPermaLink: true }),
    ];
    expect(itemIds(items)).toEqual([
      'tag:tributary,2025:s%C3%B3%2F1/a%20b',
      'tag:tributary,2025:s%C3%B3%2F1/c',
      'tag:tributary,2025:s%C3%B3%2F1/c#2',
      'https://example.test/d',
      'Https://example.test/d',
      'tag:tributary,2025:other/f',
    ]);
  });
});
