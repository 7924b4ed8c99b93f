// `npm start`: Tributary locally with its demo, offline.
//  1. the demo source server (scripts/demo/server.mjs) on 127.0.0.1:8799, in this process;
//  2. `wrangler dev` on 127.0.0.1:8787 in its own process group, output prefixed, until / answers;
//  3. the demo categories and sources registered through the admin API, then one forced poll;
//  4. the hub-backed demo source's WebSub subscription: the Worker (PUBLIC_BASE_URL is this origin, so the hub can
//     call back) subscribes to the demo server's hub right after the poll; we wait until it is verified;
//  5. where to look; then stay in the foreground until Ctrl-C / SIGTERM, and stop everything we started.
// The admin token comes from $ADMIN_TOKEN or is random per run; wrangler reads it from a generated env file
// under .wrangler/ (gitignored, removed on exit), so no secret lands in a tracked file or on a command line.
// The demo hub keeps its subscriptions in .wrangler/demo/hub.json (gitignored), as the Worker's local state in
// .wrangler/state outlives a run: the next run's Worker still holds the subscription, so the hub must too.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORKER_HOST = '127.0.0.1';
const WORKER_PORT = 8787;
const WORKER_ORIGIN = `http://${WORKER_HOST}:${WORKER_PORT}`;
const READY_TIMEOUT_MS = 120_000;
const POLL_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 5_000;
const ENV_FILE = join(ROOT, '.wrangler', 'demo', 'start.env');
const HUB_STATE_FILE = join(ROOT, '.wrangler', 'demo', 'hub.json');
const SUBSCRIBE_TIMEOUT_MS = 30_000;
const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
};

const say = (line = '') => console.log(line === '' ? '' : `[start] ${line}`);
const warn = (line) => console.error(`[start] ${line}`);

// ---------- toolchain: install on a fresh clone, and run on the project's pinned Node 22 ----------

function ensureToolchain() {
  if (!existsSync(join(ROOT, 'node_modules', 'wrangler', 'package.json'))) {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const args = existsSync(join(ROOT, 'package-lock.json')) ? ['ci'] : ['install'];
    say(`dependencies missing: npm ${args[0]} (uses the npm cache when offline)…`);
    const result = spawnSync(npm, [...args, '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: ROOT,
      stdio: 'inherit',
      shell: process.platform === 'win32',
    });
    if (result.status !== 0) {
      warn(`npm ${args[0]} failed (exit ${result.status ?? result.signal}); cannot start.`);
      process.exit(1);
    }
  }
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 22) return true;
  // `npm start` on a fresh clone runs the machine's node before the pinned one is installed: hand over to it.
  const pinned = join(ROOT, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (!existsSync(pinned) || process.env.TRIBUTARY_START_HANDOVER) {
    warn(`Node ${process.versions.node} is too old: wrangler needs Node 22 (the project pins it; run npm install).`);
    process.exit(1);
  }
  say(`Node ${process.versions.node} is too old for wrangler; continuing on the project's Node 22…`);
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, TRIBUTARY_START_HANDOVER: '1' },
  });
  // Ctrl-C reaches the child through the terminal; a SIGTERM sent to us alone is passed on.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return false;
}

// ---------- wrangler dev as a process group we own ----------

let wrangler = null; // the ChildProcess
let wranglerExit = null; // resolves with { code, signal } when it exits
let demoServer = null;
let stopping = false;
let wroteEnvFile = false; // only remove the env file we wrote (a second, refused run must not remove the first's)

function removeEnvFile() {
  if (wroteEnvFile) rmSync(ENV_FILE, { force: true });
}

function killGroup(pid, signal) {
  try {
    if (process.platform === 'win32') {
      spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore' });
    } else {
      process.kill(-pid, signal); // negative pid: the whole group (wrangler, its workerd, anything they spawned)
    }
    return true;
  } catch {
    return false; // ESRCH: nothing left in the group
  }
}

function groupAlive(pid) {
  if (process.platform === 'win32') return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function prefixLines(stream, prefix, write) {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => write(`${prefix} ${line}`));
}

function startWrangler() {
  const wranglerBin = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
  const args = [
    wranglerBin,
    'dev',
    '--test-scheduled',
    '--ip',
    WORKER_HOST,
    '--port',
    String(WORKER_PORT),
    '--persist-to',
    '.wrangler/state',
    '--env-file',
    ENV_FILE,
    '--var',
    `PRIVATE_SOURCE_ORIGINS:${demoOrigin}`,
    '--var',
    `PUBLIC_BASE_URL:${WORKER_ORIGIN}`,
    '--show-interactive-dev-session=false',
  ];
  say(`starting wrangler dev on ${WORKER_ORIGIN} …`);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...WRANGLER_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32', // its own process group, so stopping it stops workerd too
  });
  prefixLines(child.stdout, '[wrangler]', (l) => console.log(l));
  prefixLines(child.stderr, '[wrangler]', (l) => console.error(l));
  wranglerExit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', (error) => {
    warn(`cannot run wrangler: ${error.message}`);
    void stop(1);
  });
  wranglerExit.then(({ code, signal }) => {
    if (stopping) return;
    warn(`wrangler dev exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}); stopping the demo.`);
    void stop(code || 1);
  });
  wrangler = child;
}

/** Stops wrangler's whole group (TERM, then KILL after a grace period) and the demo server; exits. */
async function stop(exitCode) {
  if (stopping) return;
  stopping = true;
  if (wrangler?.pid) {
    killGroup(wrangler.pid, 'SIGTERM');
    const timeout = new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS));
    await Promise.race([wranglerExit, timeout]);
    // workerd may outlive the wrangler process for a moment: wait briefly, then make sure.
    for (let i = 0; i < 20 && groupAlive(wrangler.pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (groupAlive(wrangler.pid)) killGroup(wrangler.pid, 'SIGKILL');
  }
  if (demoServer) await demoServer.close();
  removeEnvFile();
  process.exit(exitCode);
}

// Last resort if we die some other way (an uncaught error): no orphaned workerd.
process.on('exit', () => {
  if (wrangler?.pid && groupAlive(wrangler.pid)) killGroup(wrangler.pid, 'SIGKILL');
  removeEnvFile();
});

// ---------- helpers ----------

function portIsFree(host, port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

async function waitUntilReady() {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  wranglerExit.then(() => (exited = true));
  while (Date.now() < deadline && !exited && !stopping) {
    try {
      await fetch(`${WORKER_ORIGIN}/`, { signal: AbortSignal.timeout(2_000) });
      return true; // any HTTP answer: the Worker is serving
    } catch {
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  return false;
}

function adminClient(token) {
  return async function admin(method, path, body, timeoutMs = 15_000) {
    if (stopping) throw new Stopping();
    try {
      const res = await fetch(WORKER_ORIGIN + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      let json;
      try {
        json = JSON.parse(text);
      } catch {}
      return { status: res.status, ok: res.ok, json, text };
    } catch (error) {
      if (stopping) throw new Stopping();
      return { status: 0, ok: false, json: undefined, text: error.message };
    }
  };
}

/** Thrown into the registration when a stop began: it ends quietly instead of reporting every refused call. */
class Stopping extends Error {}

/** One line a person can act on, for an admin answer that was not what we wanted. */
function explain(res) {
  const detail = (res.json && typeof res.json.error === 'string' ? res.json.error : res.text).slice(0, 200).trim();
  const hint = workerReloaded(res)
    ? 'the Worker reloaded mid-request (its source files changed)'
    : {
        0: 'no answer from the Worker',
        401: 'token rejected: the Worker does not see this run’s ADMIN_TOKEN',
        404: 'route not found: does this Worker have the admin API yet?',
        503: 'ADMIN_TOKEN not configured in the Worker?',
      }[res.status];
  return `HTTP ${res.status}${hint ? ` (${hint})` : ''}${detail ? `: ${detail}` : ''}`;
}

/** wrangler dev answers 503 when the Worker restarts under a request (a source edit); worth one retry. */
function workerReloaded(res) {
  return res.status === 503 && /restarted mid-request/i.test(res.text);
}

const sameSet = (a = [], b = []) => a.length === b.length && a.every((x) => b.includes(x));

/** Categories, then sources (idempotent across runs), then one forced poll. Returns false if nothing registered. */
async function registerDemo(admin, catalog) {
  let failures = 0;
  for (const { slug, ...category } of catalog.CATEGORIES) {
    const res = await admin('PUT', `/admin/categories/${slug}`, category);
    if (!res.ok) {
      failures++;
      warn(`category ${slug}: ${explain(res)}`);
    }
  }
  say(`categories: ${catalog.CATEGORIES.length - failures}/${catalog.CATEGORIES.length} registered`);

  const listed = await admin('GET', '/admin/sources');
  const existing = new Map(listed.ok && Array.isArray(listed.json) ? listed.json.filter((s) => s?.id).map((s) => [s.id, s]) : []);
  const tally = { added: 0, updated: 0, unchanged: 0, failed: 0 };
  for (const source of catalog.SOURCES) {
    const wanted = { url: catalog.feedUrl(source), categories: source.categories, title: source.title };
    const current = existing.get(source.id);
    let res;
    if (current) {
      if (current.url === wanted.url && sameSet(current.categories, wanted.categories) && current.title === wanted.title) {
        tally.unchanged++;
        continue;
      }
      res = await admin('PATCH', `/admin/sources/${source.id}`, wanted);
      if (res.ok) tally.updated++;
    } else {
      res = await admin('POST', '/admin/sources', { id: source.id, ...wanted });
      // 409: registered by an earlier run whose listing we could not read; fine.
      if (res.ok) tally.added++;
      else if (res.status === 409) tally.unchanged++;
    }
    if (!res.ok && res.status !== 409) {
      tally.failed++;
      warn(`source ${source.id} (${wanted.url}): ${explain(res)}`);
    }
  }
  say(`sources: ${tally.added} added, ${tally.updated} updated, ${tally.unchanged} already there, ${tally.failed} failed`);
  if (tally.failed === catalog.SOURCES.length) return false;

  say('polling every source once (POST /admin/poll?force=1) …');
  const started = Date.now();
  let poll = await admin('POST', '/admin/poll?force=1', undefined, POLL_TIMEOUT_MS);
  if (workerReloaded(poll)) {
    say('the Worker reloaded during the poll; polling again …');
    await waitUntilReady();
    poll = await admin('POST', '/admin/poll?force=1', undefined, POLL_TIMEOUT_MS);
  }
  if (!poll.ok || !poll.json || !Array.isArray(poll.json.results)) {
    warn(`poll: ${explain(poll)}`);
    return true;
  }
  const { polled, results } = poll.json;
  const byOutcome = {};
  for (const r of results) byOutcome[r.outcome] = (byOutcome[r.outcome] ?? 0) + 1;
  const counts = Object.entries(byOutcome)
    .map(([outcome, n]) => `${n} ${outcome}`)
    .join(', ');
  say(`polled ${polled} source(s) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts || 'nothing'}`);
  for (const r of results) {
    const items = typeof r.items === 'number' ? `${r.items} items` : '';
    say(`  ${String(r.id).padEnd(16)} ${String(r.outcome).padEnd(13)} ${items}${r.error ? `  ${r.error}` : ''}`);
  }
  return true;
}

/**
 * The hub-backed demo source's subscription, as the Worker's /status.json tells it, once verified (or the timeout):
 * the Directory's alarm sends the subscribe request right after the poll, and the hub verifies it at once.
 */
async function watchSubscription(catalog) {
  const source = catalog.SOURCES.find((s) => s.hub);
  if (!source) return null;
  const deadline = Date.now() + SUBSCRIBE_TIMEOUT_MS;
  let state;
  while (!stopping) {
    try {
      const res = await fetch(`${WORKER_ORIGIN}/status.json`, { signal: AbortSignal.timeout(5_000) });
      const status = await res.json();
      state = status.sources?.find((s) => s.id === source.id)?.subscription?.state;
    } catch {}
    if (state === 'active' || state === 'denied' || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const hubKnows = demoServer.hub.subscribers(catalog.feedUrl(source)) > 0;
  if (state === 'active' && hubKnows) say(`WebSub: ${source.id} is subscribed to the demo hub ${catalog.HUB_URL} (active)`);
  else if (state === 'active') {
    warn(`WebSub: the Worker holds a subscription of ${source.id} from an earlier run that the demo hub has forgotten`);
    warn(`  (${relative(ROOT, HUB_STATE_FILE)} was removed?): pushes reach nobody until it is renewed. rm -rf .wrangler/state starts afresh.`);
  } else warn(`WebSub: ${source.id}'s subscription is ${state ?? 'not there'} after ${SUBSCRIBE_TIMEOUT_MS / 1000} s (see the [demo] hub lines above)`);
  return { source, active: state === 'active' && hubKnows };
}

function printWhereToLook(catalog, token, registered, websub) {
  const o = WORKER_ORIGIN;
  say();
  say(`Tributary is running on ${o}/`);
  say(`  index          ${o}/`);
  for (const c of catalog.CATEGORIES) {
    say(`  ${c.slug.padEnd(14)} ${o}/feeds/${c.slug}.rss  .atom  .json   ${o}/c/${c.slug}   ${c.title}`);
  }
  say(`  everything     ${o}/feeds/all.rss  .atom  .json     OPML: ${o}/feeds.opml`);
  say(`  status         ${o}/status   ${o}/status.json`);
  say(`  run the cron   ${o}/__scheduled   (polls the sources that are due, as the cron trigger does)`);
  say(`  demo sources   ${demoOrigin}/`);
  if (websub) {
    say(`  WebSub         ${websub.source.id} is pushed by the demo hub ${catalog.HUB_URL}${websub.active ? '' : ' (subscription NOT active: see above)'}`);
    say(`                 npx node scripts/demo/push.mjs   (a new story, pushed; shows when ${o}/feeds/${websub.source.categories[0]}.json serves it)`);
  }
  say(`  admin token    ${token}`);
  say(`                 curl -H 'Authorization: Bearer ${token}' ${o}/admin/sources`);
  if (!registered) say('  (the demo sources are NOT registered: see the messages above)');
  say('Press Ctrl-C to stop.');
  say();
}

// ---------- main ----------

let demoOrigin = '';

async function main() {
  const catalog = await import('./demo/catalog.mjs');
  const { startDemoServer } = await import('./demo/server.mjs');
  demoOrigin = catalog.DEMO_ORIGIN;

  process.on('SIGINT', () => {
    say('stopping (Ctrl-C) …');
    void stop(0);
  });
  process.on('SIGTERM', () => {
    say('stopping (SIGTERM) …');
    void stop(0);
  });
  process.on('uncaughtException', (error) => {
    warn(`unexpected error: ${error.stack ?? error}`);
    void stop(1);
  });
  process.on('unhandledRejection', (error) => {
    warn(`unexpected error: ${error?.stack ?? error}`);
    void stop(1);
  });

  const token = process.env.ADMIN_TOKEN?.trim() || `demo-${randomBytes(16).toString('hex')}`;
  if (!/^[A-Za-z0-9._~+/=-]{8,}$/.test(token)) {
    warn('ADMIN_TOKEN must be at least 8 characters of letters, digits and ._~+/=- (it goes in an env file).');
    process.exit(1);
  }

  if (!(await portIsFree(WORKER_HOST, WORKER_PORT))) {
    warn(`port ${WORKER_PORT} on ${WORKER_HOST} is in use (another npm start or wrangler dev?). Stop it and retry.`);
    process.exit(1);
  }
  try {
    demoServer = await startDemoServer({ log: (line) => console.log(`[demo] ${line}`), hubStateFile: HUB_STATE_FILE });
  } catch (error) {
    warn(`cannot start the demo source server on ${catalog.DEMO_HOST}:${catalog.DEMO_PORT}: ${error.message}`);
    warn('Is another npm start running? Stop it and retry.');
    process.exit(1);
  }
  say(`demo sources: ${catalog.SOURCES.length} feeds on ${demoServer.origin}/`);

  mkdirSync(dirname(ENV_FILE), { recursive: true });
  writeFileSync(ENV_FILE, `# written by scripts/start.mjs for this run; removed on exit\nADMIN_TOKEN=${token}\n`, {
    mode: 0o600,
  });
  wroteEnvFile = true;
  say(`admin token for this run is in ${relative(ROOT, ENV_FILE)} (read by wrangler via --env-file)`);

  startWrangler();
  if (!(await waitUntilReady())) {
    if (!stopping) {
      warn(`wrangler dev did not answer on ${WORKER_ORIGIN}/ within ${READY_TIMEOUT_MS / 1000} s; stopping.`);
      await stop(1);
    }
    return;
  }
  say(`the Worker answers on ${WORKER_ORIGIN}/; registering the demo …`);
  const registered = await registerDemo(adminClient(token), catalog);
  if (stopping) return;
  const websub = registered ? await watchSubscription(catalog) : null;
  if (stopping) return;
  printWhereToLook(catalog, token, registered, websub);
}

if (ensureToolchain()) {
  main().catch((error) => {
    if (error instanceof Stopping) return;
    warn(`start failed: ${error.stack ?? error}`);
    void stop(1);
  });
}
