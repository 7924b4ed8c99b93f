// Picks the corpus sample of test/conformance/feedparser-fields.test.ts and writes what feedparser read of it:
//   node scripts/feedparser-sample.mjs [path to shared/corpus]      (default ../shared/corpus)
// Copies each sampled file, with its source's licence, to test/fixtures/corpus/<corpus path>, and writes
// test/fixtures/corpus/feedparser-fields.json from client-baseline.jsonl (feedparser 6.0.10's record per real
// feed) and feedparser/cases.json (feedparser's own test documents). Deterministic: the same corpus gives the
// same sample, byte for byte.
//
// The sample:
// - real feeds (~100): every feed of client-baseline.jsonl that feedparser read with bozo 0 ("PASS"), not a
//   duplicate, not gzip-stored, at most 160 KB. All of those not in UTF-8 first (the charsets), then up to four of
//   each rarer format (RSS 0.90–0.94, RSS 1.0, Atom 0.3, RSS without version), then RSS 2.0 and Atom 1.0 taken in
//   turn from each source repository, captured feeds before synthetic ones; within a group, in sha256 order.
// - feedparser's test documents: up to 20 per test folder (evenly spaced in name order) of those asserting a field
//   the JSON Feed output carries. The sanitizer folder is left
//   out: its expectations are feedparser's own HTML allowlist (the corpus README: "guidance, not law"), and
//   `npm run conformance` scores it case by case.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const corpus = resolve(process.argv[2] ?? join(process.cwd(), '..', 'shared', 'corpus'));
const outDir = join(process.cwd(), 'test', 'fixtures', 'corpus');
const REAL_FEEDS = 100;
const MAX_BYTES = 160 * 1024;
const PER_FOLDER = 20;

const index = JSON.parse(readFileSync(join(corpus, 'index.json'), 'utf8'));
const records = new Map(index.files.map((r) => [r.file, r]));
const baseline = readFileSync(join(corpus, 'client-baseline.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));
const manifest = JSON.parse(readFileSync(join(corpus, 'feedparser', 'cases.json'), 'utf8'));

const bySha = (a, b) => (a.record.sha256 < b.record.sha256 ? -1 : a.record.sha256 > b.record.sha256 ? 1 : 0);

// ── real feeds ──
const candidates = baseline
  .map((b) => ({ file: b.file, fp: b.clients.feedparser, record: records.get(b.file) }))
  .filter(({ fp, record, file }) => {
    if (fp?.status !== 'PASS' || fp.bozo !== 0 || !record || record.role !== 'feed' || record.duplicate_of) return false;
    if (record.bytes > MAX_BYTES || /^json/.test(record.format ?? '')) return false;
    const head = readFileSync(join(corpus, file)).subarray(0, 2);
    return !(head[0] === 0x1f && head[1] === 0x8b);
  })
  .sort(bySha);
const picked = [];
const take = (c) => {
  if (picked.length < REAL_FEEDS && !picked.includes(c)) picked.push(c);
};
for (const c of candidates) if (c.record.encoding !== 'utf-8') take(c);
const formats = [...new Set(candidates.map((c) => c.record.format))].filter((f) => f !== 'rss20' && f !== 'atom10').sort();
for (const format of formats)
  candidates
    .filter((c) => c.record.format === format)
    .slice(0, 4)
    .forEach(take);
const repos = [...new Set(candidates.map((c) => c.record.source))].sort();
const queues = repos.map((repo) =>
  candidates
    .filter((c) => c.record.source === repo && (c.record.format === 'rss20' || c.record.format === 'atom10'))
    .sort((a, b) => (a.record.origin_guess === 'captured' ? 0 : 1) - (b.record.origin_guess === 'captured' ? 0 : 1) || bySha(a, b)),
);
while (picked.length < REAL_FEEDS && queues.some((q) => q.length)) for (const q of queues) if (q.length) take(q.shift());

// ── feedparser's test documents ──
// Fields the JSON Feed output carries (the test maps each to it); the rest of feedparser's model is not ours to serve.
const SERVED =
  /^(entries|feed\.(title|link)|entries\[\d+\]\.(title|link|id|published|updated|created|author|author_detail\.name|authors\[\d+\]\.name|tags\[\d+\]\.term|enclosures\[\d+\]\.(href|type|length)|content\[0\]\.value|summary))$/;
const served = (c) => c.expect.filter((a) => !a.meta && SERVED.test(a.path));
const cases = manifest.cases.filter((c) => c.category !== 'wellformed/sanitize' && !c.smoke && served(c).length > 0);
const chosen = new Set();
for (const folder of [...new Set(cases.map((c) => c.category))].sort()) {
  const inFolder = cases.filter((c) => c.category === folder && !chosen.has(c)).sort((a, b) => (a.file < b.file ? -1 : 1));
  const room = Math.max(0, PER_FOLDER - [...chosen].filter((c) => c.category === folder).length);
  const step = inFolder.length / Math.min(room, inFolder.length);
  for (let i = 0; i < Math.min(room, inFolder.length); i++) chosen.add(inFolder[Math.floor(i * step)]);
}

// ── copy and write ──
const copied = new Set();
function copy(rel) {
  if (copied.has(rel)) return;
  copied.add(rel);
  mkdirSync(dirname(join(outDir, rel)), { recursive: true });
  copyFileSync(join(corpus, rel), join(outDir, rel));
}
const licenceOf = (rel) => records.get(rel)?.license_file;

const feeds = picked
  .sort((a, b) => (a.file < b.file ? -1 : 1))
  .map(({ file, fp, record }) => {
    copy(file);
    copy(licenceOf(file));
    const expect = { 'feed.title': fp.title, entries: fp.items };
    if (fp.first !== undefined) expect['entries[0].title'] = fp.first;
    if (fp.first_link !== undefined) expect['entries[0].link'] = fp.first_link;
    if (fp.first_date !== undefined) expect['entries[0].date'] = fp.first_date;
    return { file, format: record.format, encoding: record.encoding, licence: record.license, expect };
  });
const documents = [...chosen]
  .sort((a, b) => (a.file < b.file ? -1 : 1))
  .map((c) => {
    const file = `feedparser/${c.file}`;
    copy(file);
    copy(licenceOf(file) ?? 'feedparser/LICENSE');
    const doc = { file, format: c.format, folder: c.category, expect: served(c).map(({ raw, meta, ...a }) => a) };
    if (c.http_headers) doc.http_headers = c.http_headers;
    if (c.document_url) doc.document_url = c.document_url;
    return doc;
  });

const out = {
  generated_by: 'scripts/feedparser-sample.mjs from shared/corpus (client-baseline.jsonl, feedparser/cases.json, index.json)',
  reference: 'feedparser 6.0.10 (Debian) for the real feeds; feedparser test-suite Expect clauses for its documents',
  baseline_note: 'the baseline clips long values to 80 characters plus "..."; <tmp>/ stands for the file:// copy the clients read',
  feeds,
  documents,
};
writeFileSync(join(outDir, 'feedparser-fields.json'), `${JSON.stringify(out, null, 1)}\n`);
const tally = (xs, key) =>
  Object.entries(Object.groupBy(xs, key))
    .map(([k, v]) => `${k} ${v.length}`)
    .join(', ');
console.log(`${feeds.length} real feeds (${tally(feeds, (f) => f.format)}; ${tally(feeds, (f) => f.encoding)}; ${tally(feeds, (f) => f.file.split('/')[0])})`);
console.log(`${documents.length} feedparser documents (${tally(documents, (d) => d.folder)})`);
