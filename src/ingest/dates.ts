// Dates as feeds really write them → ISO 8601 UTC ("2004-01-01T19:48:21Z"), or undefined.
// Handles W3CDTF/ISO 8601 (with or without zone), RFC 822/1123 and their broken forms (no weekday,
// two-digit years, named and numeric zones, "GMT+7", day/month swapped, no seconds), asctime, and
// month names in a few languages.

export interface ParsedDate {
  /** ISO 8601 UTC, seconds precision. */
  iso: string;
  /** The text named no zone; UTC was assumed. */
  zoneGuessed: boolean;
}

// Maps, not objects: a date's word such as `constructor` must find nothing.
const MONTHS = new Map<string, number>();
const monthNames: [number, string[]][] = [
  [1, ['jan', 'january', 'janv', 'janvier', 'januar', 'jän', 'jänner', 'ene', 'enero', 'gen', 'gennaio', 'janeiro', 'jan.']],
  [2, ['feb', 'february', 'févr', 'fevr', 'février', 'fevrier', 'februar', 'febrero', 'febbraio', 'fev', 'fevereiro']],
  [3, ['mar', 'march', 'mars', 'märz', 'maerz', 'mär', 'marzo', 'março', 'marco']],
  [4, ['apr', 'april', 'avr', 'avril', 'abr', 'abril', 'aprile']],
  [5, ['may', 'mai', 'mayo', 'mag', 'maggio', 'maio']],
  [6, ['jun', 'june', 'juin', 'juni', 'junio', 'giu', 'giugno', 'junho']],
  [7, ['jul', 'july', 'juil', 'juillet', 'juli', 'julio', 'lug', 'luglio', 'julho']],
  [8, ['aug', 'august', 'août', 'aout', 'ago', 'agosto']],
  [9, ['sep', 'sept', 'september', 'septembre', 'septiembre', 'set', 'settembre', 'setembro']],
  [10, ['oct', 'october', 'octobre', 'okt', 'oktober', 'octubre', 'ott', 'ottobre', 'out', 'outubro']],
  [11, ['nov', 'november', 'novembre', 'noviembre', 'novembro']],
  [12, ['dec', 'december', 'déc', 'decembre', 'décembre', 'dez', 'dezember', 'dic', 'diciembre', 'dicembre', 'dezembro']],
];
for (const [n, names] of monthNames) for (const name of names) MONTHS.set(name, n);

const WEEKDAYS = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*$|^(lun|mar|mer|jeu|ven|sam|dim|mo|di|mi|do|fr|sa|so)\.?$/;

/** Named zones, in minutes east of UTC (RFC 822 names plus the common ones feeds use). */
const ZONES = new Map<string, number>(
  Object.entries({
    ut: 0,
    utc: 0,
    gmt: 0,
    z: 0,
    wet: 0,
    bst: 60,
    ist: 330,
    cet: 60,
    cest: 120,
    met: 60,
    mest: 120,
    eet: 120,
    eest: 180,
    msk: 180,
    est: -300,
    edt: -240,
    cst: -360,
    cdt: -300,
    mst: -420,
    mdt: -360,
    pst: -480,
    pdt: -420,
    akst: -540,
    akdt: -480,
    hst: -600,
    ast: -240,
    adt: -180,
    nst: -210,
    ndt: -150,
    jst: 540,
    kst: 540,
    hkt: 480,
    sgt: 480,
    aest: 600,
    aedt: 660,
    acst: 570,
    awst: 480,
    nzst: 720,
    nzdt: 780,
    ict: 420,
    wib: 420,
    pht: 480,
    // Military single letters (RFC 822; their signs are often confused, so only the unambiguous ones).
    a: -60,
    m: -720,
    n: 60,
    y: 720,
  }),
);

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, mo: number): number {
  return mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : DAYS_IN_MONTH[mo - 1];
}

function build(y: number, mo: number, d: number, h: number, mi: number, s: number, offsetMinutes: number): string | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60 || y < 1000 || y > 9999) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59)) - offsetMinutes * 60_000;
  if (Number.isNaN(ms)) return undefined;
  // Reject rollovers like 31 February.
  if (h < 24 && d > daysInMonth(y, mo)) return undefined;
  return isoSeconds(ms);
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => (n < 10 ? '0' : '') + n);

/**
 * `new Date(ms).toISOString()` without milliseconds, by arithmetic: the Date round trip cost more than the
 * rest of a date's parsing. Civil date from days since the epoch after H. Hinnant's days_from_civil inverse.
 */
function isoSeconds(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const mi = Math.floor(rest / 60_000);
  rest -= mi * 60_000;
  const s = Math.floor(rest / 1000);
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const mo = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (mo <= 2 ? 1 : 0);
  return `${y >= 1000 && y <= 9999 ? String(y) : pad(y, 4)}-${TWO_DIGITS[mo]}-${TWO_DIGITS[d]}T${TWO_DIGITS[h]}:${TWO_DIGITS[mi]}:${TWO_DIGITS[s]}Z`;
}

function numericZone(sign: string, hh: string, mm: string | undefined): number {
  let hours = Number(hh);
  let minutes = mm ? Number(mm) : 0;
  if (!mm && hh.length > 2) {
    // "+530" or "+0530" without a colon
    hours = Number(hh.slice(0, hh.length - 2));
    minutes = Number(hh.slice(-2));
  }
  return (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
}

const ISO = /^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?(?:[T\s]+(\d{1,2})(?::?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?)?$/i;

function parseIso(text: string): ParsedDate | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, zone] = m;
  let offset = 0;
  if (zone && !/^(z|utc|gmt)$/i.test(zone)) {
    const zm = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(zone)!;
    offset = numericZone(zm[1], zm[2], zm[3]);
  }
  const iso = build(Number(y), mo ? Number(mo) : 1, d ? Number(d) : 1, h ? Number(h) : 0, mi ? Number(mi) : 0, s ? Number(s) : 0, offset);
  return iso ? { iso, zoneGuessed: !zone && h !== undefined } : undefined;
}

/** What the tokens of a loose date have said so far. */
interface LooseParts {
  year?: number;
  month?: number;
  day?: number;
  h: number;
  mi: number;
  s: number;
  hasTime: boolean;
  offset?: number;
  pm?: boolean;
  /** Bare numbers, placed once every token is read: the day, the year and the month by their size. */
  numbers: string[];
}

/** RFC 822 and everything that resembles it: tokens are classified rather than matched by position. */
function parseLoose(text: string): ParsedDate | undefined {
  const tokens = looseTokens(text);
  const parts: LooseParts = { h: 0, mi: 0, s: 0, hasTime: false, numbers: [] };
  for (let i = 0; i < tokens.length; i++) {
    const last = readClockOrZone(tokens, i, parts);
    if (last !== undefined) i = last;
    else if (!readDateWord(tokens[i], parts)) return undefined;
  }
  if (!placeNumbers(parts)) return undefined;
  const { year, month, day, mi, s, offset, pm, hasTime } = parts;
  if (year === undefined || month === undefined || day === undefined) return undefined;
  const h = pm !== undefined && parts.h <= 12 ? (parts.h % 12) + (pm ? 12 : 0) : parts.h;
  const iso = build(year, month, day, h, mi, s, offset ?? 0);
  return iso ? { iso, zoneGuessed: offset === undefined && hasTime } : undefined;
}

/** Lower-case words and numbers: ordinals ("5th") and abbreviation dots dropped, "Jan5" and "5January" split. */
function looseTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/(\d)(st|nd|rd|th)\b/g, '$1')
    .replace(/([a-zé])\.(?=\s|$)/g, '$1')
    .split(/[\s,]+|(?<=[a-zé])(?=\d)|(?<=\d)(?=[a-zé]{3,})/)
    .filter(Boolean);
}

const CLOCK = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(z|[+-]\d{1,2}(?::?\d{2})?)?$/;
const SIGNED_ZONE = /^([+-])(\d{1,4})(?::?(\d{2}))?$/;

/** A time of day, am/pm or a zone at tokens[i]: the index of the last token it took, else undefined. */
function readClockOrZone(tokens: string[], i: number, p: LooseParts): number | undefined {
  const t = tokens[i];
  const time = p.hasTime ? null : CLOCK.exec(t);
  if (time) {
    p.h = Number(time[1]);
    p.mi = Number(time[2]);
    p.s = time[3] ? Number(time[3]) : 0;
    p.hasTime = true;
    if (time[4]) p.offset = time[4] === 'z' ? 0 : numericZone(time[4][0], ...splitZone(time[4].slice(1)));
    return i;
  }
  if (t === 'am' || t === 'pm') {
    p.pm = t === 'pm';
    return i;
  }
  // "GMT+7", "UTC-05:00", "+0700", "-5"
  const z = /^(?:gmt|utc|ut)?([+-])(\d{1,4})(?::?(\d{2}))?$/.exec(t);
  if (z && (p.hasTime || /^(gmt|utc|ut)/.test(t) || z[2].length === 4)) {
    p.offset = numericZone(z[1], z[2], z[3]);
    return i;
  }
  // "GMT +7": the zone's name, then its offset.
  if ((t === 'gmt' || t === 'utc' || t === 'ut') && /^[+-]\d/.test(tokens[i + 1] ?? '')) {
    const z2 = SIGNED_ZONE.exec(tokens[i + 1]);
    if (z2) p.offset = numericZone(z2[1], z2[2], z2[3]);
    return i + 1;
  }
  if (ZONES.has(t) && (p.hasTime || t.length > 1)) {
    if (p.offset === undefined) p.offset = ZONES.get(t);
    return i;
  }
  return undefined;
}

/** A number, a month's or weekday's name, a noise word, or a numeric date; false when the token is none of those. */
function readDateWord(t: string, p: LooseParts): boolean {
  if (/^\d+$/.test(t)) {
    p.numbers.push(t);
    return true;
  }
  const name = t.replace(/\.$/, '');
  if (p.month === undefined) {
    // "sept", "janvier": a longer name by its first three letters, unless it is a weekday's.
    const month = MONTHS.get(name) ?? (name.length > 3 && !WEEKDAYS.test(name) ? MONTHS.get(name.slice(0, 3)) : undefined);
    if (month !== undefined) {
      p.month = month;
      return true;
    }
  }
  if (WEEKDAYS.test(name) || /^\(.*\)$/.test(t)) return true;
  if (/^[a-z]+$/.test(t)) return true; // an unknown zone name or noise word
  return readNumericDate(t, p);
}

/** 2004/01/05 (year first) or 05/01/2004 (day first), with slashes, dots or dashes. */
function readNumericDate(t: string, p: LooseParts): boolean {
  const m = /^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$/.exec(t);
  if (!m) return false;
  const yearFirst = m[1].length === 4;
  p.year = Number(yearFirst ? m[1] : m[3]);
  p.month = Number(m[2]);
  p.day = Number(yearFirst ? m[3] : m[1]);
  return true;
}

/** Bare numbers by their size: four digits are the year, then the day (≤ 31), a two-digit year, the month; false if one is left over. */
function placeNumbers(p: LooseParts): boolean {
  for (const n of p.numbers) {
    const v = Number(n);
    if (n.length === 4 && p.year === undefined) p.year = v;
    else if (p.day === undefined && v >= 1 && v <= 31 && n.length <= 2) p.day = v;
    else if (p.year === undefined && n.length <= 2) p.year = v < 50 ? 2000 + v : 1900 + v;
    else if (p.month === undefined && v >= 1 && v <= 12) p.month = v;
    else return false;
  }
  return true;
}

function splitZone(z: string): [string, string | undefined] {
  const m = /^(\d{1,2})(?::?(\d{2}))?$/.exec(z);
  return m ? [m[1], m[2]] : [z, undefined];
}

// The two forms nearly every feed writes, matched whole before the general machinery (which gives the same answer
// for them, only slower): RFC 822 with an English weekday, a named or numeric zone, and ISO 8601 with seconds.
const RFC822 =
  /^(?:(?:mon|tue|wed|thu|fri|sat|sun), )?(\d{1,2}) (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (?:(gmt|utc|ut|z|[a-z]{3,4})|([+-])(\d{2})(\d{2}))$/i;
const ISO_SECONDS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

function parseCommon(text: string): ParsedDate | undefined {
  let m = RFC822.exec(text);
  if (m) {
    const day = Number(m[1]);
    let offset: number;
    if (m[7] !== undefined) {
      const zone = ZONES.get(m[7].toLowerCase());
      if (zone === undefined) return undefined; // an unknown name: the general parser decides
      offset = zone;
    } else offset = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
    const month = MONTHS.get(m[2].toLowerCase());
    if (day < 1 || month === undefined) return undefined;
    const iso = build(Number(m[3]), month, day, Number(m[4]), Number(m[5]), Number(m[6]), offset);
    return iso ? { iso, zoneGuessed: false } : undefined;
  }
  m = ISO_SECONDS.exec(text);
  if (m) {
    const offset = m[7] ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
    const iso = build(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), offset);
    return iso ? { iso, zoneGuessed: false } : undefined;
  }
  return undefined;
}

/** Whitespace that is not a single space: only then is the collapse needed. */
const SPACE_TO_COLLAPSE = /[^\S ]|\s\s/;

/** A feed date: RFC 822 (https://www.rfc-editor.org/rfc/rfc822#section-5), RFC 3339 / W3CDTF and their broken forms; else undefined. */
export function parseDate(text: string | undefined): ParsedDate | undefined {
  if (!text) return undefined;
  let trimmed = text.trim();
  if (SPACE_TO_COLLAPSE.test(trimmed)) trimmed = trimmed.replace(/\s+/g, ' ');
  if (trimmed === '' || trimmed.length > 100) return undefined;
  return parseCommon(trimmed) ?? parseIso(trimmed) ?? parseLoose(trimmed);
}

/** Allowed clock skew before a future date is clamped to the fetch time. */
export const FUTURE_SKEW_MS = 10 * 60_000;

// itemDate's memory of the last fetch time it parsed.
let lastFetchedAt = '';
let lastFetchedMs = NaN;

/** The date as stored: parsed, and no later than fetch time plus the skew. */
export function itemDate(text: string | undefined, fetchedAt: string): string | undefined {
  const parsed = parseDate(text);
  if (!parsed) return undefined;
  // Every item of a feed has the same fetch time: parse it once.
  if (fetchedAt !== lastFetchedAt) {
    lastFetchedMs = Date.parse(fetchedAt);
    lastFetchedAt = fetchedAt;
  }
  const fetched = lastFetchedMs;
  if (Number.isFinite(fetched) && Date.parse(parsed.iso) > fetched + FUTURE_SKEW_MS) return new Date(fetched).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return parsed.iso;
}
