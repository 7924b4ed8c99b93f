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
    ['<a href="/rel">r</a>', '<a href="https://blog.example/rel" rel="noopener noreferrer">r</a>'],
    ['<a href="mailto:me@x.example">m</a>', '<a href="mailto:me@x.example" rel="noopener noreferrer">m</a>'],
    ['<img src="p.gif" width="1" height="1"><img src="big.png">', '<img src="https://blog.example/posts/big.png">'],
    [
      '<img src="a.png" srcset="a2.png 2x, javascript:x 3x, data:foo 1x">',
      '<img src="https://blog.example/posts/a.png" srcset="https://blog.example/posts/a2.png 2x">',
    ],
    ['<iframe src="https://evil.example/"></iframe>after', 'after'],
    [
      '<iframe src="https://www.youtube.com/embed/xyz" width="560" onload="x()">fallback</iframe>',
      '<iframe src="https://www.youtube.com/embed/xyz" width="560" sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox" loading="lazy"></iframe>',
    ],
    ['<object data="x.swf"><embed src="x.swf"></object>t', 't'],
    ['<form action="/x"><input name="a">text<button>b</button></form>', 'text'],
    ['<b>unclosed <i>nested', '<b>unclosed <i>nested</i></b>'],
    ['</div>stray</p>', 'stray'],
    ['a < b &amp; c > d &nbsp;e', 'a &lt; b &amp; c &gt; d &nbsp;e'],
    ['<!-- comment --><p>x</p><!DOCTYPE html>', '<p>x</p>'],
    ['<svg><script>x</script><circle/></svg>ok', 'ok'],
    ['<math><mi>x</mi></math>ok', 'ok'],
    ['<p title="&quot;q&quot; &amp; <b>">t</p>', '<p title="&quot;q&quot; &amp; &lt;b&gt;">t</p>'],
    ['<scr<script>ipt>alert(1)</script>', 'ipt&gt;alert(1)'],
    ['<img src=x onerror=alert(1)//>', '<img src="https://blog.example/posts/x">'],
    ['<a href="https://x.example/" target="_blank" rel="opener">x</a>', '<a href="https://x.example/" rel="noopener noreferrer">x</a>'],
    ['<noscript><img src="a.png"></noscript>', ''],
    ['<textarea><b>x</b></textarea>y', 'y'],
    ['\u0000\u0001x\u0008', 'x'],
    // Text runs that are copied verbatim must really hold no '&', '<' or '>': around tags, attributes with '&',
    // literal '<' and stray '>' in later runs.
    [
      '<a href="/x?a=1&amp;b=2">plain</a> then &amp; <b>b</b>> after',
      '<a href="https://blog.example/x?a=1&amp;b=2" rel="noopener noreferrer">plain</a> then &amp; <b>b</b>&gt; after',
    ],
    ['x < y<b>z</b>w > v<i>&lt;i&gt;</i>', 'x &lt; y<b>z</b>w &gt; v<i>&lt;i&gt;</i>'],
    ['<p>one</p><p>two & three</p><p>four</p>', '<p>one</p><p>two &amp; three</p><p>four</p>'],
    ['ข่าว<br>Tin tức<em>&nbsp;</em>>', 'ข่าว<br>Tin tức<em>&nbsp;</em>&gt;'],
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

// What an HTML5 parser would do implicitly is written out, so the output parses back to itself and nothing in it can
// close the page's own elements (issue 11, point 9). Each row: input, then output.
describe('sanitizeHtml writes the tree an HTML5 parser builds', () => {
  it.each([
    // An li in a div in an li closes both: left as is, a browser's implied end tags close the page's summary <div>.
    ['<li><div><li></li></div></li><p>after</p>', '<li><div></div></li><li></li><p>after</p>'],
    ['<dd><div><dt>x</dt></div></dd>after', '<dd><div></div></dd><dt>x</dt>after'],
    ['<dl><dt>a<dd>b<dt>c</dl>', '<dl><dt>a</dt><dd>b</dd><dt>c</dt></dl>'],
    ['<ul><li>one<li>two</ul>', '<ul><li>one</li><li>two</li></ul>'],
    // A block closes an open p; a heading closes a heading; a link closes a link.
    ['<p>a<div>b</div>c</p>', '<p>a</p><div>b</div>c'],
    ['<p><b>bold<blockquote>q</blockquote></b></p>', '<p><b>bold</b></p><blockquote>q</blockquote>'],
    ['<h1>a<h2>b</h2></h1>', '<h1>a</h1><h2>b</h2>'],
    [
      '<a href="/x">x<div><a href="/y">y</a></div></a>',
      '<a href="https://blog.example/x" rel="noopener noreferrer">x<div></div></a><a href="https://blog.example/y" rel="noopener noreferrer">y</a>',
    ],
    ['<p>x<table><tr><td>t</td></tr></table>', '<p>x</p><table><tbody><tr><td>t</td></tr></tbody></table>'],
    ['<ruby>a<rt>b<rt>c</ruby>', '<ruby>a<rt>b</rt><rt>c</rt></ruby>'],
    // Tables: implied sections and rows, text and elements foster-parented before the table, parts outside a table ignored.
    ['<table><td>x</td></table>', '<table><tbody><tr><td>x</td></tr></tbody></table>'],
    ['<table><col><tr><td>x', '<table><colgroup><col></colgroup><tbody><tr><td>x</td></tr></tbody></table>'],
    ['<table>\n<tr><td>a</td></tr>\n</table>', '<table>\n<tbody><tr><td>a</td></tr>\n</tbody></table>'],
    ['<table><tr><td>a</td></tr><p>para <b>b</b></p>loose</table>', '<p>para <b>b</b></p>loose<table><tbody><tr><td>a</td></tr></tbody></table>'],
    [
      '<table>x<tr><td>y<table>z<tr><td>w</td></tr></table></td></tr></table>',
      'x<table><tbody><tr><td>yz<table><tbody><tr><td>w</td></tr></tbody></table></td></tr></tbody></table>',
    ],
    ['<table><caption>c<tr><td>x</caption>', '<table><caption>c</caption><tbody><tr><td>x</td></tr></tbody></table>'],
    ['<td>cell</td><tr>row</tr>', 'cellrow'],
    ['<table><tr><td>a<td>b</table>', '<table><tbody><tr><td>a</td><td>b</td></tr></tbody></table>'],
    // Moved before the table, an li would close an li around the table: only its text stays.
    ['<ul><li><table><li>y</li></table></li></ul>', '<ul><li>y<table></table></li></ul>'],
    ['<h1><table><h2>x</h2></table></h1>', '<h1>x<table></table></h1>'],
    // A newline right after <pre> is dropped by the parser, so one that stays would be lost on the next read.
    ['<pre>\n\ncode</pre>', '<pre>code</pre>'],
    // End tags close only within their cell or table.
    ['<div><table><tr><td>x</div>y</td></tr></table></div>', '<div><table><tbody><tr><td>xy</td></tr></tbody></table></div>'],
  ])('%j → %j', (input, output) => {
    expect(sanitizeHtml(input, { base })).toBe(output);
  });
});

describe('sanitizeHtml serializes as HTML5 does', () => {
  it.each([
    ['a&nbsp;b<br/>c<hr/>', 'a&nbsp;b<br>c<hr>'],
    ['<p title="x\u00a0y">\u00a0</p>', '<p title="x&nbsp;y">&nbsp;</p>'],
    ['<p title="&lt;b&gt;">a\r\nb&#13;c</p>', '<p title="&lt;b&gt;">a\nb\nc</p>'],
    ['<b/>x<img src="i.png"/>', '<b></b>x<img src="https://blog.example/posts/i.png">'],
    // Kept links get rel="noopener noreferrer" (as Miniflux does); in-page anchors and dropped hrefs do not.
    ['<a href="https://o.example/" rel="opener" target="_blank">o</a>', '<a href="https://o.example/" rel="noopener noreferrer">o</a>'],
  ])('%j → %j', (input, output) => {
    expect(sanitizeHtml(input, { base })).toBe(output);
  });

  it('adds rel to a kept link, not to an in-page anchor (no base to resolve it against) or a link whose href went', () => {
    expect(sanitizeHtml('<a href="https://o.example/">o</a><a href="#note">n</a><a href="javascript:x">j</a>')).toBe(
      '<a href="https://o.example/" rel="noopener noreferrer">o</a><a href="#note">n</a><a>j</a>',
    );
  });
});

describe('tokenizeHtml positions', () => {
  it('finds the end of a raw-text element after characters whose lower case is longer (İ → i̇)', () => {
    expect(sanitizeHtml(`${'İ'.repeat(10)}<style>a</style><b>bold</b>`)).toBe(`${'İ'.repeat(10)}<b>bold</b>`);
  });

  it('folds tag names in ASCII only: the Kelvin sign is not a k', () => {
    expect(sanitizeHtml('<mar\u212A>x</mar\u212A><mark>y</mark>')).toBe('x<mark>y</mark>');
  });
});

describe('repeated attributes', () => {
  const attrsOf = (html: string) => {
    const found: [string, string][][] = [];
    tokenizeHtml(html, (t) => {
      if (t.kind === 'start') found.push(t.attrs);
    });
    return found;
  };

  it('keep the first of each name, among a few and among thousands', () => {
    expect(attrsOf('<p title=a TITLE=b lang=x title=c>')).toEqual([
      [
        ['title', 'a'],
        ['lang', 'x'],
      ],
    ]);
    const many = Array.from({ length: 20_000 }, (_, i) => `a${i % 5_000}=${i}`).join(' ');
    const [attrs] = attrsOf(`<p title=first ${many} Title=second A7=late>`);
    expect(attrs).toHaveLength(5_001);
    expect(attrs.slice(0, 3)).toEqual([
      ['title', 'first'],
      ['a0', '0'],
      ['a1', '1'],
    ]);
    expect(attrs.find(([n]) => n === 'a7')).toEqual(['a7', '7']);
    expect(attrs.at(-1)).toEqual(['a4999', '4999']);
  });

  it('keep the first when the sanitizer writes the tag', () => {
    const filler = Array.from({ length: 30 }, (_, i) => `data-x${i}=1`).join(' ');
    expect(sanitizeHtml(`<p title="first" ${filler} title="second" lang=th LANG=vi>x</p>`)).toBe('<p title="first" lang="th">x</p>');
  });
});

describe('the length cap', () => {
  it('never splits a surrogate pair when escaping makes the cut text longer', () => {
    expect(sanitizeHtml('<b>&lt;😀</b>', { maxLength: 12 })).toBe('<b>&lt;</b>');
    expect(sanitizeHtml('<b>&lt;😀😀</b>', { maxLength: 14 })).toBe('<b>&lt;😀</b>');
  });

  it('counts implied table parts and foster-parented text', () => {
    expect(sanitizeHtml('<table>loose text<td>cell text</td></table>', { maxLength: 60 })).toBe('loose text<table><tbody><tr><td>ce</td></tr></tbody></table>');
    expect(sanitizeHtml('<table>loose text<td>cell text</td></table>', { maxLength: 50 })).toBe('loose text<table><tbody><tr></tr></tbody></table>');
  });
});

describe('tokenizeHtml plain text runs', () => {
  const pieces = fc.constantFrom(
    '<p>',
    '</p>',
    '<a href="/x?a=1&amp;b=2">',
    '</a>',
    '<b>',
    '</b>',
    'text',
    'ข่าว',
    ' ',
    '&',
    '&amp;',
    '&lt;',
    '&nbsp;',
    '<',
    '>',
    '< b',
    '<!-- c -->',
    '<![CDATA[x<y]]>',
    '<![CDATA[',
    '<img src="a&b" alt=">">',
    '</ x>',
    '<script>a<b</script>',
    '<title>&amp;</title>',
  );
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
  const text = fc
    .array(fc.constantFrom('ข่าว', 'Tiếng Việt', ' ', '\n', '\t', 'x', '👨‍👩‍👧', '"', "'", '\u0092', '\u0001', '\uD800', 'e\u0301'), { maxLength: 40 })
    .map((xs) => xs.join(''));
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
    expect(sanitizeHtml('<img src="javascript:x" srcset="b.png 2x">', { base })).toBe('<img srcset="https://blog.example/posts/b.png 2x">');
    expect(sanitizeHtml('<IMG SRC="c.png?a=1&amp;b=2" alt="c">', { base })).toBe('<img src="https://blog.example/posts/c.png?a=1&amp;b=2" alt="c">');
  });
});
