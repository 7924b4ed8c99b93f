// The conformance run (see vitest.conformance.config.ts): our ingest over the public corpus in
// ../shared/corpus, inside workerd. Records every assertion; the report is written by the corpus
// server and printed by scripts/conformance-summary.mjs. Mismatches are data here, not test failures;
// the test fails only when the run itself cannot happen (no corpus, no report).
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { decodeBody } from '../src/ingest/decode';
import { ingestFeed } from '../src/ingest/index';
import { parseFeed } from '../src/ingest/parse/index';
import { checkAssertion, ingestView, isModelled, type Case } from './conformance-adapter';

const origin = (env as unknown as { CORPUS_ORIGIN: string }).CORPUS_ORIGIN;

/** Groups excluded from the headline figure, and why (kept in the report all the same). */
const EXCLUDED_GROUPS: Record<string, string> = {
  'feedparser/not-modelled':
    "fields our model leaves out by design (full link lists, author URIs, content MIME type/src, the feed's own id/tags/dates, <source> beyond title and link)",
  'feedparser/wellformed/sanitize/acceptable_attribute':
    "feedparser keeps ~140 presentational attributes (class, bgcolor, accesskey…) on any element; our per-element allowlist (Miniflux's model) drops them: the reader's stylesheet governs presentation",
  'feedparser/wellformed/sanitize/style':
    'feedparser keeps inline CSS after filtering it; we drop style attributes altogether (no CSS parser on the hot path, no CSS-borne tracking or overlay tricks)',
};

/** Sanitize cases are split by what they test: feedparser's allowlist of harmless markup, inline CSS, or removal of the unsafe. */
function groupOf(c: Case): string {
  if (c.category !== 'wellformed/sanitize') return `feedparser/${c.category}`;
  const name = c.file.split('/').pop() ?? '';
  if (name.startsWith('acceptable_attribute')) return 'feedparser/wellformed/sanitize/acceptable_attribute';
  if (name.startsWith('acceptable_element')) return 'feedparser/wellformed/sanitize/acceptable_element';
  if (name.startsWith('style_') || name.endsWith('_style.xml') || name.includes('css')) return 'feedparser/wellformed/sanitize/style';
  return 'feedparser/wellformed/sanitize/unsafe';
}

interface GroupTally {
  passed: number;
  failed: number;
  failures: { file: string; path?: string; expected?: unknown; actual?: unknown; note?: string }[];
}

const groups = new Map<string, GroupTally>();
function record(group: string, pass: boolean, failure: GroupTally['failures'][number]): void {
  let g = groups.get(group);
  if (!g) groups.set(group, (g = { passed: 0, failed: 0, failures: [] }));
  if (pass) g.passed++;
  else {
    g.failed++;
    if (g.failures.length < 40) g.failures.push(failure);
  }
}

async function corpusBytes(path: string): Promise<Uint8Array> {
  const res = await fetch(`${origin}/corpus/${path.split('/').map(encodeURIComponent).join('/')}`);
  if (res.status !== 200) throw new Error(`corpus file ${path}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  // Two captured files are stored gzip-compressed; over HTTP the fetch layer would have inflated them.
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const inflated = new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip')));
    return new Uint8Array(await inflated.arrayBuffer());
  }
  return bytes;
}

async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

interface IndexRecord {
  file: string;
  role: string;
  source: string;
  format?: string;
  duplicate_of?: string;
  items?: number;
}

interface ClientResult {
  status?: string;
  items?: number;
  first?: string;
  first_link?: string;
  first_date?: string;
  first_mail?: string;
}

/** The baseline cuts long values to 80 characters plus "...": such a value matches by prefix. */
function sameClipped(ours: string | undefined, theirs: unknown, norm: (s: string) => string = (s) => s): boolean {
  if (ours === undefined || theirs === undefined || theirs === null) return false;
  const a = norm(ours);
  const b = norm(String(theirs));
  if (a === b) return true;
  return b.endsWith('...') && b.length >= 40 && a.startsWith(b.slice(0, -3));
}

function sameTitle(ours: string, theirs: unknown): boolean {
  return sameClipped(ours, theirs, (s) => s.normalize('NFC').replace(/\s+/g, ' ').trim());
}

function sameLink(ours: string | undefined, theirs: unknown): boolean {
  if (sameClipped(ours, theirs)) return true;
  try {
    return ours !== undefined && sameClipped(decodeURI(ours), theirs);
  } catch {
    return false;
  }
}

function resolveOrKeep(ref: string, base: string): string {
  try {
    return new URL(ref, base).href;
  } catch {
    return ref;
  }
}

it('runs the ingest over the public corpus', async () => {
  const started = Date.now();
  const manifest = (await (await fetch(`${origin}/corpus/feedparser/cases.json`)).json()) as { cases: Case[] };
  expect(manifest.cases.length).toBeGreaterThan(2000);
  const fetchedAt = '2030-01-01T00:00:00Z';

  // ── feedparser's translated assertions ──
  await pool(manifest.cases, 8, async (c) => {
    const bytes = await corpusBytes(`feedparser/${c.file}`);
    const headers = c.http_headers ?? {};
    const base = c.document_url ?? `http://127.0.0.1:8097/tests/${c.file}`;
    const url = headers['Content-Location'] ? new URL(headers['Content-Location'], base).href : base;
    const group = groupOf(c);
    // The public boundary must never throw, whatever the document.
    // A bug inside ingest comes back as a failure with code 'internal' (ingestFeed catches it): that is a crash too.
    let crashed: string | undefined;
    try {
      const r = await ingestFeed(bytes, { url, fetchedAt, sourceId: 'c', contentType: headers['Content-Type'] });
      if (!r.ok && r.code === 'internal') crashed = r.reason;
    } catch (e) {
      crashed = String(e);
    }
    if (c.smoke || crashed) record(group, !crashed, { file: c.file, note: crashed ?? 'no crash' });
    if (crashed) return;
    let view: ReturnType<typeof ingestView>;
    try {
      view = ingestView(bytes, { url, contentType: headers['Content-Type'] });
    } catch (e) {
      record(group, false, { file: c.file, note: `adapter crashed: ${String(e)}` });
      return;
    }
    for (const a of c.expect) {
      const r = checkAssertion(view, a);
      record(isModelled(a.path) ? group : 'feedparser/not-modelled', r.pass, {
        file: c.file,
        path: a.path,
        expected: a.equals ?? a.exists ?? a.length ?? a.contains,
        actual: r.actual ?? (view.ok ? undefined : view.error),
      });
    }
  });

  // ── every file of the corpus index: no exception; not-a-feed inputs are errors; readers' baseline ──
  const index = (await (await fetch(`${origin}/corpus/index.json`)).json()) as { files: IndexRecord[] };
  const baselineText = await (await fetch(`${origin}/corpus/client-baseline.jsonl`)).text();
  const baseline = new Map<string, Record<string, ClientResult>>();
  for (const line of baselineText.split('\n')) {
    if (!line.trim()) continue;
    const rec = JSON.parse(line) as { file: string; clients: Record<string, ClientResult> };
    baseline.set(rec.file, rec.clients);
  }
  const files = index.files.filter((f) => (f.role === 'feed' || f.role === 'not-a-feed') && !f.duplicate_of);
  await pool(files, 8, async (f) => {
    const bytes = await corpusBytes(f.file);
    const url = `https://corpus.example/${f.file}`;
    let result: Awaited<ReturnType<typeof ingestFeed>>;
    try {
      result = await ingestFeed(bytes, { url, fetchedAt, sourceId: 'c' });
    } catch (e) {
      record('corpus/no-exception', false, { file: f.file, note: String(e) });
      return;
    }
    const internal = !result.ok && result.code === 'internal';
    record('corpus/no-exception', !internal, { file: f.file, note: internal ? result.reason : undefined });
    if (internal) return;
    if (f.role === 'not-a-feed') {
      record('corpus/not-a-feed-is-an-error', !result.ok, { file: f.file, actual: result.ok ? `${result.feed.items.length} items` : result.reason });
      return;
    }
    if (f.source !== 'kurtmckee/feedparser') {
      record('corpus/feeds-parse', result.ok, { file: f.file, actual: result.ok ? undefined : result.reason });
    }
    const clients = baseline.get(f.file);
    if (!clients) return;
    // Readers that read this file at all are the reference; agreeing with any one of them counts.
    const readers = Object.entries(clients).filter(([name, r]) => ['feedparser', 'newsboat', 'sfeed', 'rss2email'].includes(name) && r.status === 'PASS');
    if (!readers.length) return;
    const items = result.ok ? result.feed.items : [];
    const first = items[0];
    record(
      'baseline/item-count',
      readers.some(([, r]) => r.items === items.length),
      { file: f.file, expected: readers.map(([n, r]) => `${n}:${r.items}`).join(' '), actual: result.ok ? items.length : result.reason },
    );
    const titled = readers.filter(([, r]) => r.first !== undefined && r.first !== '');
    if (titled.length) {
      record('baseline/first-title', !!first && titled.some(([, r]) => sameTitle(first.title, r.first)), {
        file: f.file,
        expected: titled[0][1].first,
        actual: first?.title,
      });
    }
    // Links the clients resolved against their temporary file:// copy, and ids (tag:, urn:) they showed
    // as links, say nothing about ours; relative links they left as written are resolved like ours.
    const linked = readers
      .filter(([, r]) => r.first_link && !r.first_link.includes('<tmp>') && !/^(file|tag|urn):/i.test(r.first_link))
      .map(([n, r]) => [n, { ...r, first_link: /^[a-z][a-z0-9+.-]*:/i.test(r.first_link!) ? r.first_link : resolveOrKeep(r.first_link!, url) }] as const);
    if (linked.length) {
      // We prefer feedburner:origLink over the tracking link readers show: either one is the story's link.
      const decoded = decodeBody(bytes);
      const parsed = decoded.ok ? parseFeed(decoded.text, { url }) : undefined;
      const rawLink = parsed?.ok ? parsed.feed.entries[0]?.link : undefined;
      const candidates = [first?.url, rawLink && resolveOrKeep(rawLink, url)];
      record('baseline/first-link', !!first && linked.some(([, r]) => candidates.some((c) => sameLink(c, r.first_link))), {
        file: f.file,
        expected: linked[0][1].first_link,
        actual: first?.url,
      });
    }
    const dated = readers.filter(([, r]) => r.first_date);
    if (dated.length && first && !first.dateGuessed) {
      record(
        'baseline/first-date',
        dated.some(([, r]) => r.first_date === first.publishedAt),
        { file: f.file, expected: dated[0][1].first_date, actual: first.publishedAt },
      );
    }
  });

  const report = {
    generatedAt: new Date().toISOString(),
    seconds: (Date.now() - started) / 1000,
    excludedGroups: EXCLUDED_GROUPS,
    groups: Object.fromEntries([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
  const post = await fetch(`${origin}/report`, { method: 'POST', body: JSON.stringify(report, null, 1) });
  expect(post.status).toBe(204);
});
