// Parts 1, 2 and the CPU side of part 3 of `npm run bench`, in one Node process (bundled by bench/run.mjs with
// esbuild: our sources import without .ts extensions). Peers run side by side with us on the same inputs, in rounds
// (every contestant once per round, order rotated), after a warm-up; medians only. Absolute times vary with the
// machine and its neighbours; the ratios, measured in the same rounds, are what to compare.
//   node cpu.mjs parts <out.json> [--quick]        ingest and render figures as JSON
//   node cpu.mjs runs <group> <out.json> [--quick] polling runs of whole deployments, CPU per invocation
//                                                  (bench/scenarios.ts; groups: newsroom, inline-500, inline-50-long,
//                                                  queue-500, queue-10000 — one process each)
//   node cpu.mjs profile <what> <ms> <out>         a .cpuprofile of one operation
//   node --expose-gc cpu.mjs memory <name> <file>  peak memory of one contestant on one file (a child per contestant)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { parseFeed as feedsmithParse } from 'feedsmith';
import RssParser from 'rss-parser';
import { extractFromJson, extractFromXml } from '@extractus/feed-extractor';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { Parser as Htmlparser2 } from 'htmlparser2';
import { Feed } from 'feed';
import { ingestFeed, decodeBody, parseFeed, normalizeFeed } from '../src/ingest';
import { renderRss } from '../src/render/rss';
import { renderAtom } from '../src/render/atom';
import { renderJsonFeed } from '../src/render/jsonfeed';
import { assignKeys } from '../src/river/dedup';
import { mergeRiver, type SourceContribution } from '../src/river/merge';
import type { RenderContext, River, RiverItem } from '../src/model';
import { atomDocument, jsonFeedDocument, newsItems, podcastDocument, rssDocument, sizedDocument } from './generate.mjs';
import { Site, changedSource } from './runs';
import { scenarioGroup } from './scenarios';

// ───────────────────────────── timing ─────────────────────────────

export interface Contestant {
  name: string;
  run: () => unknown;
}

export interface Timing {
  medianMs: number;
  samples: number;
  minMs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Warm-up, then rounds of every contestant once (rotated order) until the time budget; medians per contestant. */
async function race(contestants: Contestant[], budgetMs: number, opts: { minRounds?: number; maxRounds?: number } = {}): Promise<Record<string, Timing>> {
  const minRounds = opts.minRounds ?? 5;
  const maxRounds = opts.maxRounds ?? 60;
  const warmMean: number[] = [];
  for (const c of contestants) {
    // Until the JIT has seen it a few times: at least 3 runs, up to 300 ms or 30 runs.
    const t0 = performance.now();
    let n = 0;
    while (n < 3 || (n < 30 && performance.now() - t0 < 300)) {
      await c.run();
      n++;
    }
    warmMean.push((performance.now() - t0) / n);
  }
  const perRound = warmMean.reduce((a, b) => a + b, 0);
  const rounds = Math.max(minRounds, Math.min(maxRounds, Math.floor(budgetMs / Math.max(perRound, 0.001))));
  const samples: number[][] = contestants.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contestants.length; k++) {
      const i = (k + r) % contestants.length;
      const t0 = performance.now();
      await contestants[i].run();
      samples[i].push(performance.now() - t0);
    }
  }
  return Object.fromEntries(
    contestants.map((c, i) => [c.name, { medianMs: round(median(samples[i])), samples: samples[i].length, minMs: round(Math.min(...samples[i])) }]),
  );
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

// ───────────────────────────── contestants ─────────────────────────────

// fast-xml-parser configured the way a feed parser uses it: feedsmith's parser options (attributes kept, no value
// coercion, no entity processing, names lower-cased). Our own XML reader sits on no library; this is the floor of the
// peers' stack and a yardstick for ours.
const FEED_XML_OPTIONS = {
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  alwaysCreateTextNode: false,
  ignoreAttributes: false,
  ignorePiTags: true,
  ignoreDeclaration: true,
  attributeNamePrefix: '@',
  transformTagName: (name: string) => name.toLowerCase(),
  transformAttributeName: (name: string) => name.toLowerCase(),
};

const INGEST_OPTS = {
  contentType: 'application/rss+xml; charset=utf-8',
  url: 'https://news.example.net/feed.xml',
  fetchedAt: '2026-01-01T00:00:00.000Z',
  sourceId: 'bench',
};

async function ours(bytes: Uint8Array, contentType = INGEST_OPTS.contentType): Promise<number> {
  const r = await ingestFeed(bytes, { ...INGEST_OPTS, contentType });
  if (!r.ok) throw new Error(r.reason);
  return r.feed.items.length;
}

const rssParser = new RssParser();
const fxp = new XMLParser(FEED_XML_OPTIONS);
const utf8 = new TextDecoder();
const noop = (): void => {};

function feedsmithCount(text: string): number {
  const r = feedsmithParse(text) as { feed: { items?: unknown[]; entries?: unknown[] } };
  return (r.feed.items ?? r.feed.entries ?? []).length;
}

function saxEvents(text: string): number {
  let events = 0;
  const p = new Htmlparser2(
    { onopentag: () => void events++, onclosetag: () => void events++, ontext: noop, oncdatastart: noop, onprocessinginstruction: noop },
    { xmlMode: true },
  );
  p.end(text);
  return events;
}

/** Every contestant on one XML document (ours from bytes: decode included; peers from the decoded string). */
function xmlContestants(bytes: Uint8Array, text: string, contentType?: string): Contestant[] {
  return [
    { name: 'tributary ingest', run: () => ours(bytes, contentType) },
    { name: 'feedsmith', run: () => feedsmithCount(text) },
    { name: 'rss-parser', run: () => rssParser.parseString(text) },
    { name: 'feed-extractor', run: () => extractFromXml(text) },
    { name: 'fast-xml-parser', run: () => fxp.parse(text) },
    { name: 'TextDecoder', run: () => utf8.decode(bytes) },
    { name: 'htmlparser2 SAX', run: () => saxEvents(text) },
  ];
}

function jsonContestants(bytes: Uint8Array, text: string): Contestant[] {
  return [
    { name: 'tributary ingest', run: () => ours(bytes, 'application/feed+json') },
    { name: 'feedsmith', run: () => feedsmithCount(text) },
    { name: 'feed-extractor', run: () => extractFromJson(text) },
    // No XML to parse: JSON.parse is the floor here, in fast-xml-parser's column.
    { name: 'JSON.parse', run: () => JSON.parse(text) },
    { name: 'TextDecoder', run: () => utf8.decode(bytes) },
  ];
}

// ───────────────────────────── part 1: ingest ─────────────────────────────

interface InputFigures {
  input: string;
  bytes: number;
  items: number;
  timings: Record<string, Timing & { mbPerS: number; oursOverThis: number }>;
  note?: string;
}

function withRatios(timings: Record<string, Timing>, bytes: number): InputFigures['timings'] {
  const base = timings['tributary ingest'].medianMs;
  return Object.fromEntries(
    Object.entries(timings).map(([name, t]) => [
      name,
      { ...t, mbPerS: round(bytes / 1e6 / (t.medianMs / 1000), 1), oursOverThis: round(base / t.medianMs, 2) },
    ]),
  );
}

/** Runs each contestant once and reports who cannot read the input (they are left out of its timing). */
async function usable(contestants: Contestant[]): Promise<{ ok: Contestant[]; failed: string[] }> {
  const ok: Contestant[] = [];
  const failed: string[] = [];
  for (const c of contestants) {
    try {
      await c.run();
      ok.push(c);
    } catch (e) {
      failed.push(`${c.name}: ${e instanceof Error ? e.message.slice(0, 120) : String(e)}`);
    }
  }
  return { ok, failed };
}

async function benchDocument(input: string, doc: string, budgetMs: number, json = false): Promise<InputFigures> {
  const bytes = new TextEncoder().encode(doc);
  const items = await ours(bytes, json ? 'application/feed+json' : undefined);
  const { ok, failed } = await usable(json ? jsonContestants(bytes, doc) : xmlContestants(bytes, doc));
  const timings = await race(ok, budgetMs, { minRounds: bytes.length > 2e6 ? 5 : 9 });
  return {
    input,
    bytes: bytes.length,
    items,
    timings: withRatios(timings, bytes.length),
    note: failed.length ? `could not read it: ${failed.join('; ')}` : undefined,
  };
}

interface CorpusEntry {
  file: string;
  role: string;
  format?: string;
  encoding?: string;
  bytes: number;
  origin_guess?: string;
  duplicate_of?: string;
}

/**
 * Real feeds: the corpus files its index calls captured from real sites, XML, UTF-8, under 1 MB, every second one
 * (a fixed, repeatable sample). Timed as one batch per contestant over the files every contestant could read.
 */
async function benchCorpus(corpusDir: string, budgetMs: number): Promise<InputFigures & { files: number; leftOut: Record<string, number> }> {
  const index = JSON.parse(readFileSync(join(corpusDir, 'index.json'), 'utf8')) as { files: CorpusEntry[] };
  const picked = index.files
    .filter(
      (f) =>
        f.role === 'feed' &&
        f.origin_guess === 'captured' &&
        !f.duplicate_of &&
        f.encoding === 'utf-8' &&
        /^(rss|atom)/.test(f.format ?? '') &&
        f.bytes < 1_000_000,
    )
    .sort((a, b) => a.file.localeCompare(b.file))
    .filter((_, i) => i % 2 === 0);
  const docs = picked.map((f) => {
    const bytes = new Uint8Array(readFileSync(join(corpusDir, f.file)));
    return { file: f.file, bytes, text: utf8.decode(bytes) };
  });
  const leftOut: Record<string, number> = {};
  const readable = [];
  for (const d of docs) {
    const { failed } = await usable(xmlContestants(d.bytes, d.text, 'application/xml'));
    for (const f of failed) leftOut[f.split(':')[0]] = (leftOut[f.split(':')[0]] ?? 0) + 1;
    if (failed.length === 0) readable.push(d);
  }
  const perDoc = readable.map((d) => xmlContestants(d.bytes, d.text, 'application/xml'));
  const batch: Contestant[] = perDoc[0].map((c, k) => ({
    name: c.name,
    run: async () => {
      for (const cs of perDoc) await cs[k].run();
    },
  }));
  const bytes = readable.reduce((n, d) => n + d.bytes.length, 0);
  let items = 0;
  for (const d of readable) items += await ours(d.bytes, 'application/xml');
  const timings = await race(batch, budgetMs, { minRounds: 5 });
  return {
    input: `corpus sample (${readable.length} real feeds)`,
    bytes,
    items,
    files: readable.length,
    leftOut,
    timings: withRatios(timings, bytes),
    note: `${picked.length} captured UTF-8 RSS/Atom files sampled; ${picked.length - readable.length} left out because a contestant could not read them (${
      Object.entries(leftOut)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    })`,
  };
}

/** Where the time of our ingest goes on one document: decode, parse (XML reader + feed mapping), normalize (+ sanitize). */
async function ingestStages(doc: string, budgetMs: number): Promise<Record<string, number>> {
  const bytes = new TextEncoder().encode(doc);
  const decoded = decodeBody(bytes, INGEST_OPTS.contentType);
  if (!decoded.ok) throw new Error(decoded.reason);
  const parsed = parseFeed(decoded.text, { url: INGEST_OPTS.url });
  if (!parsed.ok) throw new Error(parsed.reason);
  const t = await race(
    [
      { name: 'decode', run: () => decodeBody(bytes, INGEST_OPTS.contentType) },
      { name: 'parse', run: () => parseFeed(decoded.text, { url: INGEST_OPTS.url }) },
      // normalize does not modify its input (it builds new drafts), so one parse serves every run.
      { name: 'normalize+sanitize', run: () => normalizeFeed(parsed.feed, INGEST_OPTS) },
      { name: 'whole ingest', run: () => ours(bytes) },
    ],
    budgetMs,
  );
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.medianMs]));
}

// ───────────────────────────── part 2: render ─────────────────────────────

const RENDER_CTX: RenderContext = {
  selfUrl: 'https://tributary.example/feeds/news.rss',
  htmlUrl: 'https://tributary.example/c/news',
  baseUrl: 'https://tributary.example',
  ttlMinutes: 15,
  generator: 'Tributary/bench',
};

/** A 500-item river merged from five sources' ingested feeds, as the poll run builds it. */
async function buildRiver(): Promise<River> {
  const contributions: SourceContribution[] = [];
  for (let s = 0; s < 5; s++) {
    const doc = rssDocument(newsItems({ count: 100, descChars: 900, seed: 500 + s, source: `s${s}` }), { link: `https://s${s}.example.net/` });
    const r = await ingestFeed(new TextEncoder().encode(doc), { ...INGEST_OPTS, sourceId: `s${s}`, url: `https://s${s}.example.net/feed.xml` });
    if (!r.ok) throw new Error(r.reason);
    const { items } = assignKeys(`s${s}`, r.feed.items);
    contributions.push({
      source: { id: `s${s}`, title: `Source ${s}`, feedUrl: `https://s${s}.example.net/feed.xml`, siteUrl: `https://s${s}.example.net/` },
      items,
      seen: new Set(),
    });
  }
  const { river } = mergeRiver(null, { slug: 'news', title: 'ข่าว / Tin tức', language: 'th' }, contributions, { now: '2026-01-01T00:00:00.000Z', cap: 500 });
  return river;
}

function feedPackage(river: River, items: RiverItem[]) {
  const mapped = items.map((it) => ({
    title: it.title,
    id: it.guid ?? it.url ?? it.key,
    link: it.url ?? RENDER_CTX.htmlUrl,
    description: it.summaryHtml,
    content: it.contentHtml,
    date: new Date(it.publishedAt),
    author: it.authors.map((name) => ({ name })),
    category: it.tags.map((name) => ({ name })),
  }));
  return () => {
    const feed = new Feed({
      title: river.title,
      description: river.description ?? river.title,
      id: RENDER_CTX.htmlUrl,
      link: RENDER_CTX.htmlUrl,
      language: river.language,
      updated: new Date(river.updatedAt),
      generator: RENDER_CTX.generator,
      copyright: '',
      feedLinks: { rss: RENDER_CTX.selfUrl, atom: RENDER_CTX.selfUrl, json: RENDER_CTX.selfUrl },
    });
    for (const m of mapped) feed.addItem(m);
    return feed;
  };
}

function builderTrees(river: River, items: RiverItem[]) {
  const rss = {
    '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' },
    rss: {
      '@_version': '2.0',
      '@_xmlns:atom': 'http://www.w3.org/2005/Atom',
      '@_xmlns:dc': 'http://purl.org/dc/elements/1.1/',
      '@_xmlns:content': 'http://purl.org/rss/1.0/modules/content/',
      channel: {
        title: river.title,
        link: RENDER_CTX.htmlUrl,
        description: river.description ?? river.title,
        'atom:link': { '@_rel': 'self', '@_type': 'application/rss+xml', '@_href': RENDER_CTX.selfUrl },
        language: river.language,
        lastBuildDate: new Date(river.updatedAt).toUTCString(),
        item: items.map((it) => ({
          title: it.title,
          link: it.url,
          guid: { '#text': it.guid ?? it.key, '@_isPermaLink': 'false' },
          pubDate: new Date(it.publishedAt).toUTCString(),
          description: it.summaryHtml ?? it.contentHtml ?? '',
          'dc:creator': it.authors.join(', ') || undefined,
          category: it.tags,
        })),
      },
    },
  };
  const atom = {
    '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' },
    feed: {
      '@_xmlns': 'http://www.w3.org/2005/Atom',
      title: river.title,
      id: RENDER_CTX.htmlUrl,
      updated: river.updatedAt,
      link: [{ '@_rel': 'self', '@_href': RENDER_CTX.selfUrl }, { '@_href': RENDER_CTX.htmlUrl }],
      entry: items.map((it) => ({
        title: it.title,
        id: it.guid ?? it.key,
        link: { '@_href': it.url },
        published: it.publishedAt,
        updated: it.updatedAt ?? it.publishedAt,
        author: it.authors.map((name) => ({ name })),
        category: it.tags.map((term) => ({ '@_term': term })),
        content: { '#text': it.contentHtml ?? it.summaryHtml ?? '', '@_type': 'html' },
      })),
    },
  };
  const json = {
    version: 'https://jsonfeed.org/version/1.1',
    title: river.title,
    home_page_url: RENDER_CTX.htmlUrl,
    feed_url: RENDER_CTX.selfUrl,
    items: items.map((it) => ({
      id: it.guid ?? it.key,
      url: it.url,
      title: it.title,
      content_html: it.contentHtml ?? it.summaryHtml,
      date_published: it.publishedAt,
      authors: it.authors.map((name) => ({ name })),
      tags: it.tags,
    })),
  };
  return { rss, atom, json };
}

async function benchRender(budgetMs: number) {
  const river = await buildRiver();
  const items = river.items;
  const build = feedPackage(river, items);
  const trees = builderTrees(river, items);
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: true, processEntities: true, format: false });
  const sizes = {
    rss: renderRss(river, items, RENDER_CTX).length,
    atom: renderAtom(river, items, RENDER_CTX).length,
    json: renderJsonFeed(river, items, RENDER_CTX).length,
    feedRss: build().rss2().length,
  };
  const out: Record<string, Record<string, Timing & { oursOverThis: number }>> = {};
  const formats = [
    ['rss', () => renderRss(river, items, RENDER_CTX), () => build().rss2(), () => builder.build(trees.rss)],
    ['atom', () => renderAtom(river, items, RENDER_CTX), () => build().atom1(), () => builder.build(trees.atom)],
    ['json', () => renderJsonFeed(river, items, RENDER_CTX), () => build().json1(), () => JSON.stringify(trees.json)],
  ] as const;
  for (const [format, oursFn, feedFn, floorFn] of formats) {
    const t = await race(
      [
        { name: 'tributary render', run: oursFn },
        { name: 'feed package', run: feedFn },
        { name: format === 'json' ? 'JSON.stringify (prebuilt object)' : 'fast-xml-parser XMLBuilder (prebuilt tree)', run: floorFn },
      ],
      budgetMs,
      { minRounds: 9 },
    );
    const base = t['tributary render'].medianMs;
    out[format] = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { ...v, oursOverThis: round(base / v.medianMs, 2) }]));
  }
  return { items: items.length, outputChars: sizes, formats: out };
}

// ───────────────────────────── memory (child process per contestant) ─────────────────────────────

/** Peak memory of one contestant reading the 5 MB file once, its result kept alive until measured. */
async function memoryOf(name: string, file: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const bytes = new Uint8Array(readFileSync(file));
  const text = name === 'tributary ingest' ? '' : utf8.decode(bytes);
  const runs: Record<string, () => unknown> = {
    'tributary ingest': () => ingestFeed(bytes, INGEST_OPTS),
    feedsmith: () => feedsmithParse(text),
    'rss-parser': () => rssParser.parseString(text),
    'feed-extractor': () => extractFromXml(text),
    'fast-xml-parser': () => fxp.parse(text),
    'htmlparser2 SAX': () => saxEvents(text),
  };
  const run = runs[name];
  if (!run) throw new Error(`no contestant ${name}`);
  gc();
  const before = process.memoryUsage();
  const maxRss0 = process.resourceUsage().maxRSS;
  const result = await run();
  const after = process.memoryUsage();
  const maxRss1 = process.resourceUsage().maxRSS;
  gc();
  const retained = process.memoryUsage().heapUsed - before.heapUsed;
  process.stdout.write(
    JSON.stringify({
      name,
      // maxRSS is the process's high-water mark: its growth over the run is the peak this parse needed.
      peakRssGrowthMB: round((maxRss1 - maxRss0) / 1024, 1),
      heapGrowthNoGcMB: round((after.heapUsed - before.heapUsed) / 1048576, 1),
      retainedResultMB: round(retained / 1048576, 1),
      resultKept: result !== undefined,
    }),
  );
}

// ───────────────────────────── profiles (run under --cpu-prof by bench/run.mjs) ─────────────────────────────

/**
 * Profiles one of our operations with the in-process inspector, so set-up (input generation, module compilation)
 * stays out of the profile: repeats it for about `ms` and writes the .cpuprofile to `outFile`.
 */
async function profileTarget(what: string, ms: number, outFile: string): Promise<void> {
  let op: () => unknown;
  if (what === 'ingest-100k') {
    const bytes = new TextEncoder().encode(sizedDocument(100_000, (items: unknown) => rssDocument(items), { descChars: 900, seed: 1 }).doc);
    op = () => ours(bytes);
  } else if (what.startsWith('render-')) {
    const river = await buildRiver();
    const fn = { 'render-rss': renderRss, 'render-atom': renderAtom, 'render-json': renderJsonFeed }[what];
    if (!fn) throw new Error(`nothing to profile called ${what}`);
    op = () => fn(river, river.items, RENDER_CTX);
  } else if (what === 'run-50-all-304' || what === 'run-50-one-changed') {
    const site = new Site({ name: `profile-${what}`, sources: 50, subrequestBudget: 50 });
    await site.register();
    for (let i = 0; i < 4; i++) await site.tick('warm');
    let n = 0;
    op =
      what === 'run-50-all-304'
        ? async () => void (await site.tick('all 304'))
        : async () => {
            site.sources.bump({ ids: [changedSource(n++, 50)] });
            await site.tick('one changed');
          };
  } else if (what === 'serve-miss') {
    // A cache miss of a feed: the page from the version pointer (no KV read), select, render RSS, cache puts.
    const site = new Site({ name: 'profile-serve', sources: 50, subrequestBudget: 50 });
    await site.register();
    for (let i = 0; i < 3; i++) await site.tick('warm');
    await site.request('/feeds/category-1.rss');
    let n = Date.now();
    op = async () => void (await site.request(`/feeds/category-1.rss?before=9999999999999.${(++n).toString(16)}`, {}, 'serve miss', { text: false }));
  } else if (what === 'queue-10k-producer') {
    // The producer alone: every tick finds all 10,000 sources due (never polled; the lease of the last tick ran out).
    const site = new Site({ name: 'profile-producer', sources: 10_000, mode: 'queue' });
    await site.register();
    op = async () => {
      await site.tick('producer only', { consume: false });
    };
  } else throw new Error(`nothing to profile called ${what}`);
  for (let i = 0; i < 3; i++) await op(); // warm
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < ms || n < 3) {
    await op();
    n++;
  }
  const { profile } = (await session.post('Profiler.stop')) as { profile: unknown };
  session.disconnect();
  writeFileSync(outFile, JSON.stringify(profile));
}

// ───────────────────────────── main ─────────────────────────────

async function parts(outFile: string, quick: boolean, tmpDir: string, corpusDir: string | undefined) {
  const scale = quick ? 0.3 : 1;
  const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
  const news = sizedDocument(100_000, (items: unknown) => rssDocument(items), { descChars: 900, seed: 1 });
  const newsItemsList = newsItems({ count: news.count, descChars: 900, seed: 1 });
  const atom = atomDocument(newsItemsList);
  // 2,000 items of ~2.7 KB: 5.3 MB (5.1 MiB).
  const big = { count: 2000, doc: rssDocument(newsItems({ count: 2000, descChars: 1000, seed: 2 })) };
  writeFileSync(join(tmpDir, 'big.xml'), big.doc);
  const podcast = podcastDocument(300);
  const json = jsonFeedDocument(newsItemsList);

  const ingest: InputFigures[] = [];
  log('ingest: 100 KB RSS …');
  ingest.push(await benchDocument('news RSS 2.0 ~100 KB (Thai/Vietnamese HTML)', news.doc, 4000 * scale));
  log('ingest: 100 KB Atom …');
  ingest.push(await benchDocument('news Atom 1.0 ~100 KB (same items)', atom, 3000 * scale));
  log('ingest: 5 MB RSS …');
  ingest.push(await benchDocument(`big RSS 2.0 5 MB (${big.count} items)`, big.doc, 8000 * scale));
  log('ingest: podcast …');
  ingest.push(await benchDocument('podcast RSS, 300 episodes', podcast, 3000 * scale));
  log('ingest: JSON Feed …');
  ingest.push(await benchDocument('JSON Feed 1.1 (same items as the news feed)', json, 2000 * scale, true));
  let corpus: unknown = { skipped: 'corpus folder not found (../shared/corpus relative to the repo root)' };
  if (corpusDir && existsSync(join(corpusDir, 'index.json'))) {
    log('ingest: corpus sample …');
    const c = await benchCorpus(corpusDir, 6000 * scale);
    ingest.push(c);
    corpus = { files: c.files, leftOut: c.leftOut };
  }
  log('ingest stages (100 KB RSS) …');
  const stages = await ingestStages(news.doc, 2000 * scale);
  log('render: 500-item river …');
  const render = await benchRender(2500 * scale);
  writeFileSync(outFile, JSON.stringify({ ingest, corpus, ingestStages100k: stages, render, bigFile: join(tmpDir, 'big.xml') }, null, 2));
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'parts') {
  const [outFile, tmpDir, corpusDir] = args.filter((a) => !a.startsWith('--'));
  await parts(outFile, args.includes('--quick'), tmpDir, corpusDir);
} else if (mode === 'runs') {
  const [group, outFile] = args.filter((a) => !a.startsWith('--'));
  writeFileSync(outFile, JSON.stringify(await scenarioGroup(group, args.includes('--quick')), null, 2));
} else if (mode === 'profile') {
  await profileTarget(args[0], Number(args[1] ?? 2000), args[2]);
} else if (mode === 'memory') {
  await memoryOf(args[0], args[1]);
} else {
  process.stderr.write(
    'usage: cpu.mjs parts <out.json> <tmpDir> [corpusDir] [--quick] | runs <group> <out.json> [--quick] | profile <what> <ms> <out> | memory <contestant> <file>\n',
  );
  process.exit(2);
}
