import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemDate, parseDate } from '../../src/ingest/dates';

describe('parseDate', () => {
  it.each([
    ['Thu, 01 Jan 2004 19:48:21 GMT', '2004-01-01T19:48:21Z'],
    ['01 Jan 2004 19:48:21 GMT', '2004-01-01T19:48:21Z'],
    ['Thu, 1 Jan 04 19:48 +0100', '2004-01-01T18:48:00Z'],
    ['Thu, 01 Jan 2004 19:48:21 EST', '2004-01-02T00:48:21Z'],
    ['Thu, 01 Jan 2004 19:48:21 PDT', '2004-01-02T02:48:21Z'],
    ['Tue, 24 Nov 2026 08:00:00 GMT+7', '2026-11-24T01:00:00Z'],
    ['Tue, 24 Nov 2026 08:00:00 GMT+07:00', '2026-11-24T01:00:00Z'],
    ['Tuesday, 24 November 2026 08:00:00 UTC', '2026-11-24T08:00:00Z'],
    ['Tue, Nov 24 2026 08:00:00 +0000', '2026-11-24T08:00:00Z'],
    ['Sun Jan  4 16:29:06 2004', '2004-01-04T16:29:06Z'],
    ['2004-01-01T19:48:21Z', '2004-01-01T19:48:21Z'],
    ['2004-01-01T19:48:21.123+05:30', '2004-01-01T14:18:21Z'],
    ['2004-01-01T19:48:21+0530', '2004-01-01T14:18:21Z'],
    ['2004-01-01 19:48:21', '2004-01-01T19:48:21Z'],
    ['2004-01-01', '2004-01-01T00:00:00Z'],
    ['2004-01', '2004-01-01T00:00:00Z'],
    ['20040101T194821Z', '2004-01-01T19:48:21Z'],
    ['Mo, 02 Mär 2026 10:00:00 +0100', '2026-03-02T09:00:00Z'],
    ['lun., 2 févr. 2026 10:00:00 +0100', '2026-02-02T09:00:00Z'],
    ['2 dic 2025 10:00 GMT', '2025-12-02T10:00:00Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseDate(text)?.iso).toBe(iso);
  });

  it.each([
    '',
    'yesterday',
    'Thu, 31 Feb 2004 10:00:00 GMT',
    '2004-13-01',
    'not 12 a date',
    '99:99',
    'Mon, 05 constructor 2024 10:00:00 GMT',
    '05 __proto__ 2024',
  ])('rejects %j', (text) => {
    expect(parseDate(text)).toBeUndefined();
  });

  it('flags a time without a zone', () => {
    expect(parseDate('2004-01-01T10:00:00')?.zoneGuessed).toBe(true);
    expect(parseDate('2004-01-01T10:00:00Z')?.zoneGuessed).toBe(false);
  });

  it('clamps dates beyond the skew to the fetch time', () => {
    const fetchedAt = '2026-11-24T12:00:00Z';
    expect(itemDate('2026-11-24T12:05:00Z', fetchedAt)).toBe('2026-11-24T12:05:00Z');
    expect(itemDate('2026-11-25T12:00:00Z', fetchedAt)).toBe(fetchedAt);
  });
});

describe('parseDate: the RFC 822 / ISO 8601 fast path agrees with the general parser', () => {
  const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const p2 = (n: number) => String(n).padStart(2, '0');
  // Fields deliberately include out-of-range values (day 0/31 in short months, hour 24+, minute 60) and odd zones.
  const fields = fc.record({
    y: fc.integer({ min: 1000, max: 9999 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 0, max: 32 }),
    h: fc.integer({ min: 0, max: 25 }),
    mi: fc.integer({ min: 0, max: 60 }),
    s: fc.integer({ min: 0, max: 61 }),
    zone: fc.oneof(
      fc.constantFrom('GMT', 'UTC', 'UT', 'Z', 'EST', 'PDT', 'ICT', 'CEST', 'XYZ', 'gmt'),
      fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 30, 45)).map(([sg, hh, mm]) => `${sg}${p2(hh)}${p2(mm)}`),
    ),
  });

  it('RFC 822 with short names (fast) = the same date with long names (general parser)', () => {
    fc.assert(
      fc.property(fields, fc.boolean(), ({ y, mo, d, h, mi, s, zone }, weekday) => {
        const wd = DAYS[(y + mo + d) % 7];
        const time = `${p2(h)}:${p2(mi)}:${p2(s)}`;
        const short = `${weekday ? wd.slice(0, 3) + ', ' : ''}${p2(d)} ${MONTHS[mo - 1].slice(0, 3)} ${y} ${time} ${zone}`;
        const long = `${weekday ? wd + ', ' : ''}${d} ${MONTHS[mo - 1]} ${y} ${time} ${zone}`;
        expect(parseDate(short)).toEqual(parseDate(long));
      }),
      { numRuns: 3000 },
    );
  });

  it('writes the instant across leap days, centuries and the edges of the four-digit years', () => {
    expect(parseDate('2000-02-29T23:30:00-01:00')?.iso).toBe('2000-03-01T00:30:00Z');
    expect(parseDate('Tue, 01 Mar 2100 00:30:00 +0100')?.iso).toBe('2100-02-28T23:30:00Z');
    expect(parseDate('Sat, 29 Feb 2020 12:00:00 GMT')?.iso).toBe('2020-02-29T12:00:00Z');
    expect(parseDate('1970-01-01T00:00:00+00:01')?.iso).toBe('1969-12-31T23:59:00Z');
    expect(parseDate('1000-01-01T00:00:00+01:00')?.iso).toBe('0999-12-31T23:00:00Z');
    expect(parseDate('9999-12-31T23:00:00-05:00')?.iso).toBe('10000-01-01T04:00:00Z');
  });

  it('ISO 8601 with seconds and a zone is the instant Date.UTC computes', () => {
    fc.assert(
      fc.property(fields, fc.integer({ min: -14 * 60, max: 14 * 60 }), ({ y, mo, d, h, mi, s }, offset) => {
        const zone = offset === 0 ? 'Z' : `${offset < 0 ? '-' : '+'}${p2(Math.floor(Math.abs(offset) / 60))}:${p2(Math.abs(offset) % 60)}`;
        const text = `${y}-${p2(mo)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(s)}${zone}`;
        const valid = y > 1000 && y < 9999 && d >= 1 && new Date(Date.UTC(y, mo - 1, d)).getUTCDate() === d && h <= 23 && mi <= 59 && s <= 59;
        const ms = Date.UTC(y, mo - 1, d, h, mi, s) - offset * 60_000;
        const got = parseDate(text);
        // The lower-case spelling skips the fast path: both must agree.
        expect(got).toEqual(parseDate(text.toLowerCase()));
        if (valid) expect(got).toEqual({ iso: new Date(ms).toISOString().replace(/\.000Z$/, 'Z'), zoneGuessed: false });
      }),
      { numRuns: 3000 },
    );
  });
});
