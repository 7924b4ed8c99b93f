// The bench's deployments, shared by its Node half (bench/runs.ts) and its workerd half (bench/cron.bench.test.ts):
// sources in 7 categories, source k in category k mod 7 and every fifth source also in the next one.
export const CATEGORIES = 7;
export const INTERVAL_MS = 15 * 60_000;
/** Messages per consumer invocation when wrangler.toml does not say (its [[queues.consumers]] max_batch_size). */
export const CONSUMER_BATCH = 4;

/** max_batch_size of wrangler.toml's [[queues.consumers]] block (commented out or not: queue mode ships commented). */
export function consumerBatchOf(toml: string): number {
  const m = /^[ \t#]*max_batch_size\s*=\s*(\d+)/m.exec(toml);
  return m ? Number(m[1]) : CONSUMER_BATCH;
}

export function categoriesOf(k: number): string[] {
  const cats = [`category-${(k % CATEGORIES) + 1}`];
  if (k % 5 === 0) cats.push(`category-${((k + 1) % CATEGORIES) + 1}`);
  return cats;
}

/** An OPML list with one folder per category (a source in two categories is listed in both folders). */
export function opml(indexes: number[], url: (k: number) => string): string {
  const folders: string[][] = Array.from({ length: CATEGORIES }, () => []);
  for (const k of indexes) {
    for (const slug of categoriesOf(k)) folders[Number(slug.split('-')[1]) - 1].push(`<outline type="rss" text="Source ${k}" xmlUrl="${url(k)}"/>`);
  }
  return `<?xml version="1.0"?><opml version="2.0"><head><title>bench</title></head><body>${folders
    .map((f, c) => `<outline text="Category ${c + 1}">${f.join('')}</outline>`)
    .join('')}</body></opml>`;
}

/** The "one changed source" of sample `n`: a source in one category (plus all), a different one each sample. */
export function changedSource(n: number, count: number): number {
  const candidates: number[] = [];
  for (let k = 1; k < count && candidates.length < 64; k++) if (k % 5 !== 0) candidates.push(k);
  return candidates[(n * 5) % candidates.length];
}

/** Queue bench with 10,000 sources: every 50th source is a 100 KB news feed, the others are small quiet feeds. */
export function queueShapeRules(first: number, count: number): { from: number; to: number; items: number; descChars: number }[] {
  if (count <= 1000) return [];
  const rules = [];
  for (let j = 0; j < count; j += 50) rules.push({ from: first + j + 1, to: first + j + 50, items: 3, descChars: 300 });
  return rules;
}
