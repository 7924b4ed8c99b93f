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

  it.each(['', 'yesterday', 'Thu, 31 Feb 2004 10:00:00 GMT', '2004-13-01', 'not 12 a date', '99:99'])('rejects %j', (text) => {
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
