// The sanitizer's output is a fixed point of HTML5 fragment parsing (issue 11, point 9): parse5, the WHATWG spec
// parser, reads it and serializes exactly it back, both as innerHTML of a <template> (parseFragment's default) and of
// a <div> (where /c/{category} puts a summary). Over the corpus's item bodies, mutation-XSS vectors and a fuzz run.
// SANITIZE_FUZZ_RUNS raises the fuzz run (the default is what CI runs).
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { parseFragment, serialize, type DefaultTreeAdapterMap } from 'parse5';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- the bench's input generator is plain JS, without types
import { newsItems } from '../../bench/generate.mjs';
import { ingestFeed } from '../../src/ingest/index';
import { ALLOWED_ATTRS, sanitizeHtml } from '../../src/ingest/sanitize';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const base = 'https://feed.example/posts/1';

declare global {
  /** Vite's additions, replaced when the test is transformed: a file listing, and the runner's environment. */
  interface ImportMeta {
    glob(pattern: string): Record<string, unknown>;
    env: Record<string, string | undefined>;
  }
}
const divContext = parseFragment('<div></div>').childNodes[0] as Element;
/** Attributes the sanitizer adds itself. */
const ADDED: Record<string, string[]> = { a: ['rel'], iframe: ['sandbox', 'loading'] };

function expectFixedPoint(out: string, input: string): void {
  const asTemplate = serialize(parseFragment(out));
  const inDiv = serialize(parseFragment(divContext, out, {}));
  if (asTemplate !== out || inDiv !== out)
    throw new Error(`not a fixed point:\n in:  ${JSON.stringify(input)}\n out: ${JSON.stringify(out)}\n reparsed: ${JSON.stringify(asTemplate)}`);
}

/** No live script in the tree a browser builds from the output: allowlisted elements and attributes, safe URLs. */
function expectSafeTree(root: Node, out: string): void {
  // A loop, not recursion: the deep-stack cases nest thousands of elements.
  const todo: Node[] = [root];
  for (let node = todo.pop(); node; node = todo.pop()) {
    for (const child of 'childNodes' in node ? node.childNodes : []) {
      if (!('tagName' in child)) continue;
      const allowed = ALLOWED_ATTRS.get(child.tagName);
      if (!allowed || child.namespaceURI !== 'http://www.w3.org/1999/xhtml') throw new Error(`<${child.tagName}> kept in ${JSON.stringify(out)}`);
      for (const { name, value } of child.attrs) {
        if (!allowed.has(name) && !ADDED[child.tagName]?.includes(name)) throw new Error(`${name} on <${child.tagName}> kept in ${JSON.stringify(out)}`);
        if (/^(href|src|cite|poster|srcset)$/.test(name) && /^[\s\u0000-\u001f]*(javascript|vbscript|data):/i.test(value.replace(/[\t\n\r]/g, '')))
          throw new Error(`${name}="${value}" kept in ${JSON.stringify(out)}`);
      }
      todo.push(child);
    }
  }
}

function expectSanitized(input: string, maxLength?: number): string {
  const out = sanitizeHtml(input, { base, maxLength });
  expectFixedPoint(out, input);
  expectSafeTree(parseFragment(out), out);
  expect(sanitizeHtml(out, { base, maxLength })).toBe(out);
  if (maxLength !== undefined) expect(out.length).toBeLessThanOrEqual(maxLength);
  return out;
}

// Mutation-XSS and namespace-confusion shapes (after DOMPurify's and the browsers' published cases), misnesting that
// implied end tags repair, and the tricks of comments, quotes and URL schemes.
const VECTORS = [
  '<svg><style><img src=x onerror=alert(1)></style></svg>',
  '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
  '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 onerror=alert(1)&gt;">',
  '<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title="</style><img src onerror=alert(1)>"></style></h1>',
  '<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<template><s><template><s><img src=x onerror=alert(1)>x</s></template></s></template>',
  '<form id="a"><form><input></form><img src=x onerror=alert(1)></form>',
  '<table><form><tr><td><a href="/x">cell</a></td></tr></form><b>fostered</b></table>',
  '<table><tr><td>a</td></tr><li>fostered li</li><a href="/y">link</a>text</table>',
  '<ul><li><table><li>inner</li></table></li></ul><p>after</p>',
  '<li><div><li></li></div></li><p>after</p><article><a href="https://evil.example/">fake item</a></article>',
  '<dd><div><dt></dt></div></dd><dl><dt><dd><dt></dl>',
  '<p><b>bold<p>again</b>after</p>',
  '<a href="/1"><b><a href="/2">nested</a></b></a>',
  '<h1><h2><h3>heads</h3></h2></h1>',
  '<select><option><img src=x onerror=alert(1)></option></select>',
  '<textarea></textarea><img src=x onerror=alert(1)></textarea>',
  '<title><img src=x onerror=alert(1)></title>',
  '<style></style ><img src=x onerror=alert(1)>',
  '<!--><img src=x onerror=alert(1)>-->',
  '<!----!><img src=x onerror=alert(1)>-->',
  '<!-- --!><img src=x onerror=alert(1)> -->',
  '<![CDATA[<img src=x onerror=alert(1)>]]>',
  '<p>See <![CDATA[ never closed</p><p>next <![CDATA[<img src=x onerror=alert(1)>',
  '<?xml ><img src=x onerror=alert(1)>?>',
  '<img src="x` `<script>alert(1)</script>"` `>',
  "<img src='x' title=\"'\" alt='\"'onerror=alert(1)//'>",
  '<img src=x alt=a"b title=c\'d>',
  '<a href="jav&#x09;ascript:alert(1)">t</a><a href="&#106;avascript:alert(1)">e</a><a href="java\nscript:alert(1)">n</a>',
  '<a href=" &#14;javascript:alert(1)">c</a><a href="JaVaScRiPt&colon;alert(1)">d</a><a href="data:text/html,<script>alert(1)</script>">x</a>',
  '<iframe src="https://www.youtube.com/embed/x"><script>alert(1)</script></iframe>after',
  '<iframe srcdoc="<script>alert(1)</script>" src="https://www.youtube.com/embed/x"></iframe>',
  '<object data="javascript:alert(1)"><p>fallback</p></object>',
  '<pre>\n\n\nthree newlines</pre><pre><b>\nbold</b></pre>',
  '<table><caption><table><tr><td>in caption</table></caption></table>',
  '<table><colgroup>text<col><td>x</table>',
  '<ruby><p>a<rt>b<rp>(</rp></ruby>',
  `${'İ'.repeat(5)}<style>x</style><script>alert(1)</script><b>ok</b>`,
  '<b>&lt;😀😀</b>',
  '<p>\u00a0\r\n&#13;&nbsp;</p><p title="\u00a0&#13;">x</p>',
];

describe('sanitized HTML is a fixed point of HTML5 fragment parsing', () => {
  it(`holds for ${VECTORS.length} mutation-XSS, namespace-confusion and misnesting vectors, capped and not`, () => {
    const failures = VECTORS.flatMap((input) =>
      [undefined, 40].flatMap((maxLength) => {
        try {
          expectSanitized(input, maxLength);
          return [];
        } catch (e) {
          return [e instanceof Error ? e.message : String(e)];
        }
      }),
    );
    expect(failures).toEqual([]);
  });

  it('holds on deep stacks: stray and blocked end tags, implied closes that reach far down or stop (issue 11)', () => {
    const n = 2_000;
    const r = (s: string, times = n) => s.repeat(times);
    const cases: [string, string][] = [
      [r('<div>') + r('</span>', 10 * n) + 'x', r('<div>') + 'x' + r('</div>')],
      [
        '<span><table><tr><td>' + r('<b>') + r('</span>') + 'x',
        '<span><table><tbody><tr><td>' + r('<b>') + 'x' + r('</b>') + '</td></tr></tbody></table></span>',
      ],
      [
        r('<b>') + '<table><tr><td>' + r('<i>') + '</table>x',
        r('<b>') + '<table><tbody><tr><td>' + r('<i>') + r('</i>') + '</td></tr></tbody></table>x' + r('</b>'),
      ],
      ['<ul><li>' + r('<div>') + '<li>y', '<ul><li>' + r('<div>') + r('</div>') + '</li><li>y</li></ul>'],
      ['<li><ul>' + r('<span>') + r('<li>z', 3), '<li><ul>' + r('<span>') + r('<li>z</li>', 3) + r('</span>') + '</ul></li>'],
      ['<li><table><tr>' + r('<span>') + '<li>w', '<li>' + r('<span>') + 'w' + r('</span>') + '<table><tbody><tr></tr></tbody></table></li>'],
      ['<p>' + r('<span>') + '<div>v', '<p>' + r('<span>') + r('</span>') + '</p><div>v</div>'],
      ['<p><table><td>' + r('<b>') + '<p>q', '<p></p><table><tbody><tr><td>' + r('<b>') + '<p>q</p>' + r('</b>') + '</td></tr></tbody></table>'],
      [
        '<a href="/1">' + r('<span>') + '<a href="/2">t',
        '<a href="https://feed.example/1" rel="noopener noreferrer">' +
          r('<span>') +
          r('</span>') +
          '</a><a href="https://feed.example/2" rel="noopener noreferrer">t</a>',
      ],
      ['<dl><dd>' + r('<div>') + '<dt>s', '<dl><dd>' + r('<div>') + r('</div>') + '</dd><dt>s</dt></dl>'],
      ['<ruby>' + r('<span>') + '<rt>a<rp>(', '<ruby>' + r('<span>') + '<rt>a</rt><rp>(</rp>' + r('</span>') + '</ruby>'],
      [r('<table><td>') + r('</span>', 10 * n), r('<table><tbody><tr><td>') + r('</td></tr></tbody></table>')],
    ];
    for (const [input, expected] of cases) expect(expectSanitized(input)).toBe(expected);
  });

  it('holds for every item body of the corpus feeds, as ingest sanitized them', async () => {
    const files = Object.keys(import.meta.glob('../fixtures/corpus/**/*.{xml,rss,atom,rdf,json}')).filter((f) => !f.endsWith('fields.json'));
    let bodies = 0;
    for (const file of files) {
      const res = await fetch(`${env.FIXTURE_ORIGIN}/files/${file.slice('../fixtures/'.length)}`);
      const r = await ingestFeed(new Uint8Array(await res.arrayBuffer()), {
        url: `https://corpus.example/${file}`,
        fetchedAt: '2026-11-24T12:00:00Z',
        sourceId: 'c',
      });
      if (!r.ok) {
        // A corpus file that is not a feed may fail, but never through a bug of ours (ingestFeed catches those).
        expect(r.code, `${file}: ${r.reason}`).not.toBe('internal');
        continue;
      }
      for (const html of r.feed.items.flatMap((i) => [i.summaryHtml, i.contentHtml])) {
        if (!html) continue;
        bodies++;
        expectFixedPoint(html, file);
        expectSafeTree(parseFragment(html), html);
      }
    }
    console.log(`fixed point: ${bodies} item bodies of ${files.length} corpus files`);
    expect(bodies).toBeGreaterThan(0);
  });

  it('holds for the bench news items (Thai and Vietnamese HTML)', () => {
    for (const item of newsItems({ count: 200, descChars: 900, seed: 3 }) as { description: string }[]) expectSanitized(item.description);
  });
});

const PIECES = [
  '<p>',
  '</p>',
  '<b>',
  '</b>',
  '<i>',
  '<a href="/x">',
  '<a href="javascript:alert(1)">',
  '</a>',
  '<div>',
  '</div>',
  '<li>',
  '</li>',
  '<ul>',
  '</ul>',
  '<dd>',
  '<dt>',
  '</dd>',
  '<dl>',
  '<h1>',
  '<h2>',
  '</h2>',
  '<pre>',
  '</pre>',
  '<table>',
  '</table>',
  '<tr>',
  '</tr>',
  '<td>',
  '</td>',
  '<th>',
  '<tbody>',
  '<thead>',
  '</tbody>',
  '<caption>',
  '</caption>',
  '<colgroup>',
  '<col>',
  '<img src="i.png">',
  '<img src=x onerror=alert(1)>',
  '<br>',
  '<br/>',
  '<hr>',
  '<ruby>',
  '<rt>',
  '<rp>',
  '<span>',
  '</span>',
  '<blockquote>',
  '<section>',
  '<details>',
  '<summary>',
  '<figure>',
  '<em>',
  '<strong>',
  '<code>',
  '<video>',
  '<source src="a.mp4">',
  '<p/>',
  '<b/>',
  '<svg>',
  '</svg>',
  '<math>',
  '<mtext>',
  '<mglyph>',
  '<style>',
  '</style>',
  '<script>',
  '</script>',
  '<template>',
  '</template>',
  '<noscript>',
  '</noscript>',
  '<form>',
  '</form>',
  '<select>',
  '<textarea>',
  '<object>',
  '</object>',
  '<iframe src="https://www.youtube.com/embed/1">',
  '</iframe>',
  '<iframe src="//evil.example">',
  '<title>',
  '<!--',
  '-->',
  '--!>',
  '<![CDATA[',
  ']]>',
  '<!DOCTYPE html>',
  '<?x?>',
  '&amp;',
  '&lt;',
  '&nbsp;',
  '&#13;',
  '&#0;',
  '&bogus;',
  '&#x6A;avascript:',
  '\u00a0',
  '\r\n',
  '\n',
  ' ',
  'x',
  'ข่าว',
  'Tiếng Việt',
  'İ',
  '😀',
  '\uD800',
  '"',
  "'",
  '=',
  '<',
  '>',
  '/',
  '<div title="a&quot;b">',
  "<p title='x\">y'>",
];
const htmlish = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...PIECES) },
      {
        weight: 1,
        arbitrary: fc.string({ maxLength: 4, unit: fc.constantFrom('<', '>', '/', '!', '-', '"', "'", '=', '&', '#', ';', 'a', 'p', 'b', ' ', '\n') }),
      },
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('sanitizer fuzz', () => {
  const runs = Number(import.meta.env.VITE_SANITIZE_FUZZ_RUNS ?? '') || 50_000;
  it(`${runs} mixed inputs: fixed point, safe tree, idempotent, within the cap`, () => {
    fc.assert(
      fc.property(htmlish, fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined, freq: 3 }), (html, maxLength) => {
        expectSanitized(html, maxLength);
      }),
      { numRuns: runs },
    );
  }, 120_000);
});
