// The URL fast path must agree with the runtime's WHATWG parser on every input it accepts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanAbsoluteHref, firstAbsolute, hostnameOf, resolveUrl } from '../../src/ingest/urls';

/** What resolveUrl did before the fast path: the parser alone. */
function parserOnly(ref: string, base: string | undefined, use: 'link' | 'resource'): string | undefined {
  const trimmed = ref.trim();
  if (trimmed === '') return undefined;
  let url: URL;
  try {
    url = base ? new URL(trimmed, base) : new URL(trimmed);
  } catch {
    return undefined;
  }
  const allowed = use === 'link' ? ['http:', 'https:', 'mailto:'] : ['http:', 'https:'];
  if (!allowed.includes(url.protocol)) return undefined;
  if ((url.protocol === 'http:' || url.protocol === 'https:') && !url.hostname) return undefined;
  return url.href;
}

// Pieces chosen to hit what the parser rewrites: case, ports, userinfo, IPv4/IPv6 numbers, punycode, dot segments
// (also percent-encoded), whitespace and controls, backslashes, non-ASCII, bad percent escapes, '?'/'#' placement.
const schemes = fc.constantFrom('http://', 'https://', 'HTTP://', 'Https://', 'http:/', 'http:', 'ftp://', 'javascript:', '//', '');
const hosts = fc.constantFrom(
  'example.com',
  'a.example.net',
  'Example.com',
  'example.com.',
  '.example.com',
  'a..b',
  '127.0.0.1',
  '127.1',
  '0x7f.1',
  'foo.123',
  'foo.0x1',
  '[::1]',
  'user@h.example',
  'h.example:80',
  'h.example:443',
  'h.example:8080',
  'xn--nxasmq6b.example',
  'xn--a.example',
  'bücher.example',
  'a_b.example',
  'a-b.example',
  '-a.example',
  'a%41.example',
  'h.example\\',
  ' h.example',
  'h\t.example',
  '',
  'a',
  '1',
  'localhost',
);
const pathChars = fc.constantFrom(
  'a',
  'Z',
  '0',
  '-',
  '.',
  '_',
  '~',
  '/',
  '?',
  '#',
  '%',
  '%2e',
  '%2E',
  '%41',
  '%zz',
  '%4',
  '&',
  '=',
  '+',
  ',',
  ';',
  ':',
  '@',
  '!',
  '$',
  "'",
  '(',
  ')',
  '*',
  ' ',
  '\t',
  '\n',
  '\\',
  '"',
  '<',
  '>',
  '`',
  '{',
  '}',
  '|',
  '^',
  '[',
  ']',
  'é',
  'ไทย',
  '\u0000',
  '\u007f',
  '\u00a0',
  '..',
  '/./',
  '/../',
  '/.',
  '/..',
);
const noisy = fc.tuple(schemes, hosts, fc.array(pathChars, { maxLength: 12 })).map(([s, h, p]) => s + h + p.join(''));
// Mostly clean URLs with the odd tricky piece, so the fast path's acceptances are tested as well as its refusals.
const cleanPathChars = fc.constantFrom(
  'a',
  'Z',
  '0',
  '-',
  '.',
  '_',
  '~',
  '/',
  '?',
  '#',
  '%41',
  '&',
  '=',
  '+',
  ',',
  ';',
  ':',
  '@',
  '!',
  '$',
  "'",
  '(',
  ')',
  '*',
);
const mostlyClean = fc
  .tuple(
    fc.constantFrom('http://', 'https://'),
    fc.oneof({ arbitrary: fc.constantFrom('example.com', 'a.example.net', 'a-b.example', 'localhost'), weight: 3 }, { arbitrary: hosts, weight: 1 }),
    fc.array(fc.oneof({ arbitrary: cleanPathChars, weight: 12 }, { arbitrary: pathChars, weight: 1 }), { maxLength: 14 }),
  )
  .map(([s, h, p]) => s + h + p.join(''));
const urlish = fc.oneof(noisy, mostlyClean);

describe('cleanAbsoluteHref', () => {
  it('returns either undefined or exactly what the runtime parser writes', () => {
    let taken = 0;
    fc.assert(
      fc.property(urlish, (s) => {
        const fast = cleanAbsoluteHref(s);
        if (fast !== undefined) {
          taken++;
          expect(fast).toBe(new URL(s).href);
        }
      }),
      { numRuns: 20_000 },
    );
    // The generator must exercise the fast path itself, not only its refusals.
    expect(taken).toBeGreaterThan(500);
  });

  it('takes the common clean forms and leaves the rest to the parser', () => {
    expect(cleanAbsoluteHref('https://news.example.th/th/1/2?utm_source=rss&ref=feed')).toBe('https://news.example.th/th/1/2?utm_source=rss&ref=feed');
    expect(cleanAbsoluteHref('https://news.example.net')).toBe('https://news.example.net/');
    expect(cleanAbsoluteHref('https://a.example/x?y/z?#frag?/')).toBe('https://a.example/x?y/z?#frag?/');
    for (const s of [
      'HTTPS://a.example/',
      'https://A.example/',
      'https://a.example:443/',
      'https://a.example/./x',
      'https://a.example/%2e%2E/x',
      'https://127.1/',
      'https://a.example/ b',
      'https://a.example?q',
      'https://a.example/é',
    ]) {
      expect(cleanAbsoluteHref(s)).toBeUndefined();
    }
  });
});

describe('resolveUrl', () => {
  const bases = fc.constantFrom(undefined, '', 'https://base.example/dir/page.html', 'http://Base.example:8080/a/../b/', 'not a base', 'mailto:x@y.example');
  it('gives what the parser alone gives, for any ref, base and use', () => {
    fc.assert(
      fc.property(urlish, bases, fc.constantFrom('link' as const, 'resource' as const), (ref, base, use) => {
        expect(resolveUrl(ref, base, use)).toBe(parserOnly(ref, base, use));
      }),
      { numRuns: 20_000 },
    );
  });

  it('still refuses an absolute ref against an unparseable base, as the URL constructor does', () => {
    expect(resolveUrl('https://a.example/x', 'not a base')).toBeUndefined();
    expect(resolveUrl('https://a.example/x', 'https://b.example/')).toBe('https://a.example/x');
    expect(resolveUrl(' javascript:alert(1)', 'https://b.example/')).toBeUndefined();
  });

  it('firstAbsolute and hostnameOf agree with the parser', () => {
    fc.assert(
      fc.property(urlish, urlish, (a, b) => {
        let expected: string | undefined;
        for (const x of [a, b]) {
          try {
            const u = new URL(x.trim());
            if (u.protocol === 'http:' || u.protocol === 'https:') {
              expected = u.href;
              break;
            }
          } catch {
            // next
          }
        }
        expect(firstAbsolute(a, b)).toBe(expected);
        const href = resolveUrl(a, undefined, 'resource');
        if (href) expect(hostnameOf(href)).toBe(new URL(href).hostname);
      }),
      { numRuns: 10_000 },
    );
  });
});
