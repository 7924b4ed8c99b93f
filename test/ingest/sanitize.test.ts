import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenizeHtml } from '../../src/ingest/html';
import { sanitizeHtml } from '../../src/ingest/sanitize';

const base = 'https://blog.example/posts/1';

describe('sanitizeHtml', () => {
  it.each([
    ['<p>ok</p><script>alert(1)</script>', '<p>ok</p>'],
    ['<style>p{}</style><b>b</b>', '<b>b</b>'],
    ['<p onclick="x()" style="color:red" class="c">t</p>', '<p>t</p>'],
    ['<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['<a href=" JaVa\tScRiPt:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="vbscript:x">x</a>', '<a>x</a>'],
    ['<img src="data:image/png;base64,AAAA">', ''],
    ['<a href="/rel">r</a>', '<a href="https://blog.example/rel">r</a>'],
    ['<a href="mailto:me@x.example">m</a>', '<a href="mailto:me@x.example">m</a>'],
    ['<img src="p.gif" width="1" height="1"><img src="big.png">', '<img src="https://blog.example/posts/big.png" />'],
    ['<img src="a.png" srcset="a2.png 2x, javascript:x 3x, data:foo 1x">', '<img src="https://blog.example/posts/a.png" srcset="https://blog.example/posts/a2.png 2x" />'],
    ['<iframe src="https://evil.example/"></iframe>after', 'after'],
    ['<iframe src="https://www.youtube.com/embed/xyz" width="560" onload="x()">fallback</iframe>', '<iframe src="https://www.youtube.com/embed/xyz" width="560" sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox" loading="lazy"></iframe>'],
    ['<object data="x.swf"><embed src="x.swf"></object>t', 't'],
    ['<form action="/x"><input name="a">text<button>b</button></form>', 'text'],
    ['<b>unclosed <i>nested', '<b>unclosed <i>nested</i></b>'],
    ['</div>stray</p>', 'stray'],
    ['a < b &amp; c > d &nbsp;e', 'a &lt; b &amp; c &gt; d \u00a0e'],
    ['<!-- comment --><p>x</p><!DOCTYPE html>', '<p>x</p>'],
    ['<svg><script>x</script><circle/></svg>ok', 'ok'],
    ['<math><mi>x</mi></math>ok', 'ok'],
    ['<p title="&quot;q&quot; &amp; <b>">t</p>', '<p title="&quot;q&quot; &amp; &lt;b&gt;">t</p>'],
    ['<scr<script>ipt>alert(1)</script>', 'ipt&gt;alert(1)'],
    ['<img src=x onerror=alert(1)//>', '<img src="https://blog.example/posts/x" />'],
    ['<a href="https://x.example/" target="_blank" rel="opener">x</a>', '<a href="https://x.example/">x</a>'],
    ['<noscript><img src="a.png"></noscript>', ''],
    ['<textarea><b>x</b></textarea>y', 'y'],
    ['\u0000\u0001x\u0008', 'x'],
    // Text runs that are copied verbatim must really hold no '&', '<' or '>': around tags, attributes with '&',
    // literal '<' and stray '>' in later runs.
    ['<a href="/x?a=1&amp;b=2">plain</a> then &amp; <b>b</b>> after', '<a href="https://blog.example/x?a=1&amp;b=2">plain</a> then &amp; <b>b</b>&gt; after'],
    ['x < y<b>z</b>w > v<i>&lt;i&gt;</i>', 'x &lt; y<b>z</b>w &gt; v<i>&lt;i&gt;</i>'],
    ['<p>one</p><p>two & three</p><p>four</p>', '<p>one</p><p>two &amp; three</p><p>four</p>'],
    ['ข่าว<br>Tin tức<em>&nbsp;</em>>', 'ข่าว<br />Tin tức<em>\u00a0</em>&gt;'],
    // Element names that are Object.prototype keys are not on the allowlist (they once passed, or threw).
    ['<constructor title="t">x</constructor>', 'x'],
    ['<constructor>x</constructor>', 'x'],
  ])('%j → %j', (input, output) => {
    expect(sanitizeHtml(input, { base })).toBe(output);
  });

  it('keeps relative links out when there is no base', () => {
    expect(sanitizeHtml('<a href="/x">x</a><img src="y.png">')).toBe('<a>x</a>');
  });

  it('caps the length on a grapheme boundary and closes open tags', () => {
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    const html = `<p><b>${'x'.repeat(20)}${family.repeat(10)}</b></p>`;
    const out = sanitizeHtml(html, { maxLength: 40 });
    expect(out.length).toBeLessThanOrEqual(40);
    expect(out.endsWith('</b></p>')).toBe(true);
    const text = out.slice('<p><b>'.length, -'</b></p>'.length);
    expect(text.startsWith('x'.repeat(20))).toBe(true);
    // Only whole family emoji survive.
    expect(text.slice(20).length % family.length).toBe(0);
  });
});

describe('tokenizeHtml plain text runs', () => {
  const pieces = fc.constantFrom('<p>', '</p>', '<a href="/x?a=1&amp;b=2">', '</a>', '<b>', '</b>', 'text', 'ข่าว', ' ', '&', '&amp;', '&lt;', '&nbsp;', '<', '>', '< b', '<!-- c -->', '<![CDATA[x<y]]>', '<img src="a&b" alt=">">', '</ x>', '<script>a<b</script>', '<title>&amp;</title>');
  it('marks a run plain only when it holds no & < > and is its own decoding', () => {
    let plainRuns = 0;
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 20 }), (parts) => {
        tokenizeHtml(parts.join(''), (t) => {
          if (t.kind !== 'text' || !t.plain) return;
          plainRuns++;
          expect(t.text).not.toMatch(/[&<>]/);
        });
      }),
      { numRuns: 2000 },
    );
    expect(plainRuns).toBeGreaterThan(300);
  });

  it('stays idempotent on the same mixes of runs, tags and entities', () => {
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 20 }), (parts) => {
        const html = parts.join('');
        const once = sanitizeHtml(html, { base });
        expect(sanitizeHtml(once, { base })).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('sanitizeHtml on plain text (no < & >: the tokenizer is skipped)', () => {
  // A leading comment sends the same text through the tokenizer (comments are dropped): both must agree.
  const text = fc.array(fc.constantFrom('ข่าว', 'Tiếng Việt', ' ', '\n', '\t', 'x', '👨‍👩‍👧', '"', "'", '\u0092', '\u0001', '\uD800', 'e\u0301'), { maxLength: 40 }).map((xs) => xs.join(''));
  it('gives what the tokenizer path gives, with and without a length cap', () => {
    fc.assert(
      fc.property(text, fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }), (s, maxLength) => {
        expect(sanitizeHtml(s, { base, maxLength })).toBe(sanitizeHtml('<!---->' + s, { base, maxLength }));
      }),
      { numRuns: 2000 },
    );
  });

  it('still cleans characters and trims', () => {
    expect(sanitizeHtml('  don\u0092t\u0001 stop  ')).toBe('don\u2019t stop');
  });
});

describe('img src and srcset are resolved once for the check and the output', () => {
  it('keeps the resolved src and the safe srcset candidates, and drops a tag with neither', () => {
    expect(sanitizeHtml('<img srcset="javascript:x 2x" alt="a">', { base })).toBe('');
    expect(sanitizeHtml('<img src="javascript:x" srcset="b.png 2x">', { base })).toBe('<img srcset="https://blog.example/posts/b.png 2x" />');
    expect(sanitizeHtml('<IMG SRC="c.png?a=1&amp;b=2" alt="c">', { base })).toBe('<img src="https://blog.example/posts/c.png?a=1&amp;b=2" alt="c" />');
  });
});
