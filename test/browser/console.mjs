// `npm run test:browser`: the operator console at /admin in a real browser (issue 12).
// Headless Chromium from Debian (/usr/bin/chromium, or $CHROMIUM) driven by playwright-core, which downloads nothing.
// Starts its own wrangler dev on a free port with a throwaway --persist-to, so runs are clean and `npm start`
// (8787/8799) can run beside it, and a tiny site server whose pages name their feeds with <link rel="alternate">.
// At 390 px and 1280 px, each in a fresh browser context: sign in, add a source by its site URL, poll it, pause it,
// import an OPML file, sign out. Any console error or page error fails the step it happened in.
// Full-page screenshots of every step go to test/browser/screenshots/ (git-ignored).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = join(ROOT, 'test', 'browser', 'screenshots');
const HOST = '127.0.0.1';
const WIDTHS = [
  { width: 390, height: 844 },
  { width: 1280, height: 900 },
];
const READY_TIMEOUT_MS = 120_000;
const STEP_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps calling Google's hosts, which this network refuses.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const say = (line) => console.log(`[browser] ${line}`);
// Set by Ctrl-C / SIGTERM: the steps then fail because the browser is gone, which is not worth reporting.
let interrupted = false;

// ---------- the site server: pages that name their feeds, and the feeds (Thai and Vietnamese titles) ----------

const SITES = {
  'chiang-mai': {
    lang: 'th',
    title: 'ข่าวเชียงใหม่วันนี้ — ทดสอบหน้าจอ',
    items: ['เทศกาลยี่เป็งปีนี้มีผู้มาเยือนมากกว่าที่คาดไว้', 'ฝนตกหนักทางภาคเหนือ ถนนสายหลักปิดชั่วคราว', 'ตลาดวโรรสเปิดโซนอาหารพื้นเมืองใหม่'],
  },
  hue: { lang: 'vi', title: 'Tin Huế mỗi ngày', items: ['Lễ hội Huế năm nay đón nhiều du khách', 'Mưa lớn ở miền Trung'] },
  'da-nang': { lang: 'vi', title: 'Đà Nẵng hôm nay — cầu Rồng phun lửa', items: ['Cầu Rồng phun lửa cuối tuần', 'Giá vàng tăng nhẹ'] },
};

const escapeXml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function sitePage(site, width) {
  return `<!doctype html><html lang="${site.lang}"><head><meta charset="utf-8"><title>${escapeXml(site.title)} · ${width} px</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="feed.xml"></head><body><h1>${escapeXml(site.title)}</h1></body></html>`;
}

function siteFeed(site, width, origin, path) {
  const items = site.items.map(
    (title, i) =>
      `<item><title>${escapeXml(title)}</title><link>${origin}${path}${i + 1}.html</link><guid>${origin}${path}${i + 1}</guid>` +
      `<pubDate>${new Date(Date.now() - (i + 1) * 3_600_000).toUTCString()}</pubDate><description>${escapeXml(title)}</description></item>`,
  );
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${escapeXml(site.title)} · ${width} px</title>` +
    `<link>${origin}${path}</link><description>${escapeXml(site.title)}</description><language>${site.lang}</language>${items.join('')}</channel></rss>\n`
  );
}

/** Serves /<site>-<width>/ (a page) and /<site>-<width>/feed.xml: each width gets its own URLs, so its own source ids. */
function startSiteServer() {
  const server = createHttpServer((req, res) => {
    const origin = `http://${req.headers.host}`;
    const m = /^\/([a-z-]+)-(\d+)\/(feed\.xml)?$/.exec(req.url ?? '');
    const site = m && SITES[m[1]];
    if (!site) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    const path = `/${m[1]}-${m[2]}/`;
    if (m[3]) res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(siteFeed(site, m[2], origin, path));
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(sitePage(site, m[2]));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve({ server, origin: `http://${HOST}:${server.address().port}` }));
  });
}

function opmlFile(dir, siteOrigin, width) {
  const outline = (slug) => {
    const title = `${SITES[slug].title} · ${width} px`;
    return `<outline type="rss" text="${escapeXml(title)}" title="${escapeXml(title)}" xmlUrl="${siteOrigin}/${slug}-${width}/feed.xml" htmlUrl="${siteOrigin}/${slug}-${width}/"/>`;
  };
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"><head><title>Nguồn tin Việt Nam</title></head><body>` +
    `<outline text="Tin tức Việt Nam" title="Tin tức Việt Nam">${outline('hue')}${outline('da-nang')}</outline></body></opml>\n`;
  const file = join(dir, `import-${width}.opml`);
  writeFileSync(file, xml);
  return file;
}

// ---------- wrangler dev in a process group of its own ----------

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const WRANGLER_ENV = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };
const WRANGLER_JS = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

/** The Worker bundled once, as `wrangler deploy` would: wrangler dev then serves that file, so an edit under src/
 * during the run cannot restart the Worker under a form post ("Your worker restarted mid-request"). */
async function bundleWorker(work) {
  const outdir = join(work, 'bundle');
  const child = spawn(process.execPath, [WRANGLER_JS, 'deploy', '--dry-run', '--outdir', outdir], {
    cwd: ROOT,
    env: { ...process.env, ...WRANGLER_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b) => (output += b));
  child.stderr.on('data', (b) => (output += b));
  const code = await new Promise((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`wrangler deploy --dry-run failed (exit ${code}):\n${output.slice(-2000)}`);
  return join(outdir, 'index.js');
}

async function startWrangler(work, siteOrigin, token) {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const origin = `http://${HOST}:${port}`;
  // An env file, not --var, so the token stays off the process list (as scripts/start.mjs does); .dev.vars is not read.
  const envFile = join(work, 'browser.env');
  writeFileSync(envFile, `ADMIN_TOKEN=${token}\n`, { mode: 0o600 });
  const args = [
    WRANGLER_JS,
    'dev',
    await bundleWorker(work),
    '--no-bundle',
    '--config',
    join(ROOT, 'wrangler.toml'),
    '--ip',
    HOST,
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
    '--persist-to',
    join(work, 'state'),
    '--env-file',
    envFile,
    '--var',
    `PRIVATE_SOURCE_ORIGINS:${siteOrigin}`,
    '--var',
    `PUBLIC_BASE_URL:${origin}`,
    // Every test source is on one host: no pacing between its fetches.
    '--var',
    'HOST_SPACING_MS:0',
    '--show-interactive-dev-session=false',
  ];
  const log = join(work, 'wrangler.log');
  const out = createWriteStream(log);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...WRANGLER_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own group: stopping it stops workerd too
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, origin, log };
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing left
  }
}

async function stopWrangler(w) {
  if (!w?.child.pid || !killGroup(w.child.pid, 'SIGTERM')) return;
  await Promise.race([w.exited, new Promise((r) => setTimeout(r, STOP_GRACE_MS))]);
  // workerd may outlive wrangler for a moment.
  for (let i = 0; i < 20 && killGroup(w.child.pid, 0); i++) await new Promise((r) => setTimeout(r, 100));
  killGroup(w.child.pid, 'SIGKILL');
}

async function waitUntilReady(w) {
  let gone = false;
  w.exited.then(() => (gone = true));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !gone) {
    try {
      // Our sign-in page, not a placeholder wrangler answers with while workerd starts.
      const res = await fetch(`${w.origin}/admin`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok && (await res.text()).includes('name="token"')) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(gone ? 'wrangler dev exited before it answered' : `wrangler dev did not answer within ${READY_TIMEOUT_MS / 1000} s`);
}

// ---------- steps ----------

/** One width's run: a fresh context (no cookies), console errors and page errors collected per step. */
class Run {
  constructor(page, width, origin) {
    Object.assign(this, { page, width, origin, n: 0, errors: [], notes: [], passed: 0, failed: 0 });
    page.on('console', (m) => m.type() === 'error' && this.errors.push(`console error: ${m.text()} (${m.location().url || 'no url'})`));
    page.on('pageerror', (e) => this.errors.push(`page error: ${e.message}`));
  }

  async shot(name) {
    const file = join(SHOTS, `${this.width}-${String(this.n).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    return file;
  }

  /** Runs one step, screenshots its end state; throws (after a screenshot) on failure or any console error. */
  async step(name, fn) {
    this.n++;
    this.errors.length = 0;
    const started = Date.now();
    const label = `${String(this.width).padStart(4)} px  ${name}`;
    try {
      await fn();
      if (this.errors.length) throw new Error(this.errors.join('\n'));
      await this.layoutNote(name);
      const file = await this.shot(name);
      this.passed++;
      say(`ok    ${label} (${Date.now() - started} ms) → ${relative(ROOT, file)}`);
    } catch (error) {
      if (interrupted) throw error;
      this.failed++;
      const file = await this.shot(`${name}-FAILED`).catch(() => undefined);
      // Playwright appends the browser's own stderr (dbus noise, flags) to some errors: the step's part is enough.
      say(`FAIL  ${label}: ${error.message.split('\nBrowser logs:')[0].trim()}${file ? ` → ${relative(ROOT, file)}` : ''}`);
      throw error;
    }
  }

  /** A page wider than the viewport is worth a line (the CSS lives in src/render/console.ts): which elements stick out. */
  async layoutNote(name) {
    const wide = await this.page.evaluate(() => {
      const vw = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth <= vw) return [];
      // What a scrolling box (the tables' .table wrapper) holds is clipped there: it does not widen the page.
      const scrolls = (el) => el !== document.body && /auto|scroll|hidden/.test(getComputedStyle(el).overflowX);
      const clipped = (el) => {
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) if (scrolls(a)) return true;
        return false;
      };
      const out = [...document.body.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > vw + 1 && !clipped(el));
      // Only the outermost offenders: their children stick out because they do.
      const name = (el) =>
        `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${typeof el.className === 'string' && el.className ? `.${el.className.trim().replace(/\s+/g, '.')}` : ''}>`;
      return out
        .filter((el) => !out.includes(el.parentElement))
        .slice(0, 5)
        .map((el) => `${name(el)} "${el.textContent.trim().slice(0, 30)}" right edge ${Math.round(el.getBoundingClientRect().right)} px`);
    });
    if (wide.length) this.note(name, `page wider than the viewport: ${wide.join(', ')}`);
    // A table wider than its scrolling box hides columns until one scrolls it sideways: say which, and how much.
    const sideways = await this.page.evaluate(() =>
      [...document.querySelectorAll('.table')]
        .filter((box) => box.scrollWidth > box.clientWidth + 1)
        .map((box) => {
          const hidden = [...box.querySelectorAll('thead th')].filter((th) => th.getBoundingClientRect().right > box.getBoundingClientRect().right + 1);
          const where = box.closest('section[id]')?.id ?? 'page';
          return `#${where} table is ${box.scrollWidth} px in a ${box.clientWidth} px box (columns past its edge: ${hidden.map((th) => th.textContent || '(actions)').join(', ')})`;
        }),
    );
    if (sideways.length) this.note(name, `scrolls sideways: ${sideways.join('; ')}`);
  }

  /** Something worth a look that is not a failure of the flow (layout, wording): printed once, with the steps it held in. */
  note(step, text) {
    const seen = this.notes.find((n) => n.text === text);
    if (seen) return void seen.steps.push(step);
    this.notes.push({ text, steps: [step] });
    say(`note  ${this.width} px  ${step}: ${text}`);
  }

  /** Clicks a submit button and waits for the page its form answers with. */
  async submit(button) {
    await Promise.all([this.page.waitForEvent('load'), button.click()]);
  }

  async flash(expected) {
    const flash = this.page.locator('p.flash');
    if ((await flash.count()) === 0) throw new Error(`no flash message; the page says: ${(await this.page.locator('body').innerText()).slice(0, 300)}`);
    const text = (await flash.innerText()).trim();
    if (!expected.test(text) || (await flash.getAttribute('class')).includes('bad')) throw new Error(`flash "${text}" does not match ${expected}`);
    return text;
  }
}

// Patterns for literal text: ids, URLs and titles carry dots and other pattern characters.
const literal = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactly = (text) => new RegExp(`^${literal(text)}$`);

async function expectText(locator, expected, what) {
  const text = (await locator.innerText()).trim();
  if (!expected.test(text)) throw new Error(`${what}: "${text.replace(/\s+/g, ' ')}" does not match ${expected}`);
}

async function consoleSteps(run, token, siteOrigin, opml) {
  const { page, width, origin } = run;
  const site = `${siteOrigin}/chiang-mai-${width}/`;
  const feed = `${site}feed.xml`;
  const feedTitle = `${SITES['chiang-mai'].title} · ${width} px`;
  let id = '';
  const row = () => page.locator(`#source-${id}`);

  await run.step('sign-in-page', async () => {
    await page.goto(`${origin}/admin`);
    await page.getByLabel('Admin token').waitFor();
  });
  await run.step('signed-in', async () => {
    await page.getByLabel('Admin token').fill(token);
    await run.submit(page.getByRole('button', { name: 'Sign in', exact: true }));
    const refused = page.locator('p.flash.bad');
    if (await refused.count()) throw new Error(`sign-in refused: ${await refused.innerText()}`);
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
    await expectText(page.locator('#sources h2'), /^Sources \(\d+ of \d+\)$/, 'sources heading');
  });
  await run.step('added-by-site-url', async () => {
    await page.getByLabel('Feed or site URL').fill(site);
    await page.getByLabel('Categories (comma-separated slugs)').fill(`thai-${width}`);
    await run.submit(page.getByRole('button', { name: 'Add source', exact: true }));
    const text = await run.flash(/^Added (\S+) \(feed found from (\S+)\)/);
    [, id] = /^Added (\S+) /.exec(text);
    if (!text.includes(`feed found from ${site})`)) throw new Error(`flash "${text}" does not name the site page ${site}`);
    // The row links the feed the page named, not the page itself.
    await row().getByRole('link', { name: feed, exact: true }).waitFor();
    await expectText(row().locator('td').first(), /not checked yet/, 'health before the poll');
  });
  await run.step('polled', async () => {
    await run.submit(row().getByRole('button', { name: 'Poll now', exact: true }));
    // About this source only: the admin API's answer also lists every other source as skipped.
    await run.flash(exactly(`Polled ${id}: fresh, ${SITES['chiang-mai'].items.length} new items.`));
    await expectText(row().locator('td').first(), /healthy/, 'health after the poll');
    await expectText(row().locator('td.num'), exactly(String(SITES['chiang-mai'].items.length)), 'item count');
    await expectText(row().locator('strong'), exactly(feedTitle), 'title read from the feed');
  });
  await run.step('paused', async () => {
    await run.submit(row().getByRole('button', { name: 'Pause', exact: true }));
    await run.flash(exactly(`Paused ${id}.`));
    await expectText(row().locator('td').first(), /paused/, 'health when paused');
    await row().getByRole('button', { name: 'Resume', exact: true }).waitFor();
  });
  await run.step('opml-imported', async () => {
    await page.locator('#opml-file').setInputFiles(opml);
    await run.submit(page.getByRole('button', { name: 'Import', exact: true }));
    await run.flash(exactly('Imported 2 sources.'));
    for (const slug of ['hue', 'da-nang']) {
      const imported = page.locator('table.sources tbody tr', { hasText: `${siteOrigin}/${slug}-${width}/feed.xml` });
      await expectText(imported.locator('strong'), exactly(`${SITES[slug].title} · ${width} px`), `imported ${slug} row`);
    }
  });
  await run.step('signed-out', async () => {
    await run.submit(page.getByRole('button', { name: 'Sign out', exact: true }));
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await run.flash(exactly('Signed out.'));
    // The session is gone on the server too: a fresh load asks for the token again.
    await page.goto(`${origin}/admin`);
    await page.getByLabel('Admin token').waitFor();
    if ((await page.context().cookies()).length) throw new Error('a cookie survived the sign-out');
  });
}

async function runWidth(browser, viewport, token, siteOrigin, origin, work) {
  const context = await browser.newContext({ viewport, locale: 'th-TH' });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const run = new Run(await context.newPage(), viewport.width, origin);
  try {
    await consoleSteps(run, token, siteOrigin, opmlFile(work, siteOrigin, viewport.width));
  } catch {
    // Reported by the step; the steps after it depend on it.
  } finally {
    await context.close();
  }
  return run;
}

// ---------- main ----------

function clearScreenshots() {
  mkdirSync(SHOTS, { recursive: true });
  for (const f of readdirSync(SHOTS)) if (f.endsWith('.png')) rmSync(join(SHOTS, f));
}

async function main() {
  const started = Date.now();
  if (!existsSync(CHROMIUM)) {
    say(`FAIL  no Chromium at ${CHROMIUM}: apt-get install chromium fonts-tlwg-loma-ttf (or set CHROMIUM)`);
    process.exit(1);
  }
  // Without a font that has Thai, the screenshots show boxes where the Thai titles are; the test itself cannot tell.
  if (!spawnSync('fc-list', [':lang=th'], { encoding: 'utf8' }).stdout?.trim())
    say('warning: no Thai font (apt-get install fonts-tlwg-loma-ttf): Thai text in the screenshots will be boxes');
  clearScreenshots();
  const work = mkdtempSync(join(tmpdir(), 'tributary-browser-'));
  const token = `browser-${randomBytes(12).toString('hex')}`;
  let site, wrangler, browser;
  let ok = false;
  let stopped;
  const stop = () =>
    (stopped ??= (async () => {
      await browser?.close().catch(() => {});
      await stopWrangler(wrangler);
      site?.server.close();
    })());
  // Ctrl-C or a CI timeout: still stop what we started.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      interrupted = true;
      say(`stopping (${signal}) …`);
      void stop().then(() => process.exit(130));
    });
  }
  process.once('exit', () => wrangler?.child.pid && killGroup(wrangler.child.pid, 'SIGKILL'));
  try {
    site = await startSiteServer();
    wrangler = await startWrangler(work, site.origin, token);
    say(`wrangler dev on ${wrangler.origin} (state in ${work}), site pages on ${site.origin}`);
    await waitUntilReady(wrangler);
    say(`the Worker answers after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    say(`Chromium ${browser.version()}`);
    let passed = 0;
    let failed = 0;
    const notes = [];
    for (const viewport of WIDTHS) {
      if (interrupted) break;
      const run = await runWidth(browser, viewport, token, site.origin, wrangler.origin, work);
      passed += run.passed;
      failed += run.failed;
      notes.push(...run.notes.map((n) => `${run.width} px  ${n.text} (${n.steps.join(', ')})`));
    }
    if (interrupted) return; // the signal handler exits 130 once everything is stopped
    if (notes.length) say(`${notes.length} note(s), not failures:\n${notes.map((n) => `  ${n}`).join('\n')}`);
    ok = failed === 0;
    say(`${ok ? 'done' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${relative(ROOT, SHOTS)}/`);
    console.log(`browser: ${passed} passed, ${failed} failed`);
  } catch (error) {
    if (interrupted) return;
    say(`FAIL  ${error.message}`);
    if (wrangler && existsSync(wrangler.log)) say(`wrangler's last lines:\n${readFileSync(wrangler.log, 'utf8').split('\n').slice(-40).join('\n')}`);
  } finally {
    await stop();
    // Keep the state and wrangler's log of a failed run to look at.
    if (ok) rmSync(work, { recursive: true, force: true });
    else say(`kept ${work} (wrangler.log, state) for a look`);
  }
  process.exit(ok ? 0 : 1);
}

await main();
