// The Worker under `wrangler dev` for the bench's HTTP parts (bench/serve.mjs, bench/websub.mjs): built once the way
// `wrangler deploy` builds it, so wrangler dev serves that file and does not rebuild and reload the Worker
// mid-measurement when something under src/ changes; on a free port, with fresh local state and its own admin token,
// in its own process group; ready once the Worker's own 404 JSON and its Durable Objects (/status.json comes from the
// Directory) answer three times in a row.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const HOST = '127.0.0.1';
const QUIET = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopGroup(child, exited) {
  if (!child?.pid || !groupAlive(child.pid)) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {}
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
  for (let i = 0; i < 20 && groupAlive(child.pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(child.pid)) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }
}

/**
 * The Worker's upload size: `wrangler deploy --dry-run --outdir`, every file it writes, raw and gzip-compressed (the
 * Free plan's 3 MB limit is on the compressed size).
 */
export async function bundleSize(root, outDir) {
  await buildWorker(root, outDir);
  const files = readdirSync(outDir).filter((f) => statSync(join(outDir, f)).isFile() && !f.endsWith('.map'));
  const sizes = files.map((f) => {
    const bytes = readFileSync(join(outDir, f));
    return { file: f, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  });
  const sum = (k) => sizes.reduce((n, s) => n + s[k], 0);
  return { date: new Date().toISOString(), files: sizes, bytes: sum('bytes'), gzipBytes: sum('gzipBytes'), freePlanLimitBytes: 3 * 1024 * 1024 };
}

/** `wrangler deploy --dry-run`: the Worker as one file in `outDir`. */
function buildWorker(root, outDir) {
  rmSync(outDir, { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    const b = spawn(process.execPath, [join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'deploy', '--dry-run', '--outdir', outDir], {
      cwd: root,
      env: { ...process.env, ...QUIET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    b.stdout.on('data', (d) => (out += d));
    b.stderr.on('data', (d) => (out += d));
    b.once('error', reject);
    b.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`wrangler deploy --dry-run (bundling the Worker) exited ${code}:\n${out.slice(-2000)}`)),
    );
  });
}

/**
 * Builds and starts the Worker; resolves once it is ready. `vars`: --var NAME:value pairs (PUBLIC_BASE_URL is this
 * Worker's own origin unless given). `name` keeps each part's files apart under `workDir`. Call `stop()` in a finally.
 */
export async function startWorker({ root, workDir, name, vars = {}, log = () => {} }) {
  const port = await freePort();
  const base = `http://${HOST}:${port}`;
  const token = `bench-${randomBytes(12).toString('hex')}`;
  const stateDir = join(workDir, `${name}-state`);
  const envFile = join(workDir, `${name}.env`);
  const bundleDir = join(workDir, `${name}-bundle`);
  // wrangler's debug log (workerd's own messages land there even at --log-level warn): read back when something fails.
  const debugLog = join(workDir, `${name}-wrangler-debug.log`);
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(debugLog, { force: true });
  mkdirSync(workDir, { recursive: true });
  writeFileSync(envFile, `ADMIN_TOKEN=${token}\n`, { mode: 0o600 });
  const debugTail = () => {
    try {
      return readFileSync(debugLog, 'utf8')
        .split('\n')
        .filter((l) => !/^\s+'/.test(l)) // the bundle's source, quoted in config dumps
        .slice(-60)
        .join('\n');
    } catch {
      return '(no wrangler debug log)';
    }
  };

  let child;
  let exited;
  let gone = false;
  let output = '';
  const tail = (n = 3000) => output.slice(-n);
  const stop = async () => {
    await stopGroup(child, exited);
    rmSync(envFile, { force: true });
  };
  try {
    await buildWorker(root, bundleDir);
    const varArgs = Object.entries({ PUBLIC_BASE_URL: base, ...vars }).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
    child = spawn(
      process.execPath,
      [
        join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
        'dev',
        join(bundleDir, 'index.js'),
        '--no-bundle',
        '--ip',
        HOST,
        '--port',
        String(port),
        '--persist-to',
        stateDir,
        '--env-file',
        envFile,
        ...varArgs,
        '--show-interactive-dev-session=false',
        // Request logging on stdout would be part of every measured request; warnings and the Worker's errors stay.
        '--log-level',
        'warn',
      ],
      {
        cwd: root,
        env: { ...process.env, ...QUIET, WRANGLER_LOG_PATH: debugLog },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    exited.then(() => (gone = true));
    const keep = (d) => (output = (output + d).slice(-64_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);

    const probe = async () => {
      const nope = await fetch(`${base}/nope`, { signal: AbortSignal.timeout(5000) });
      const body = await nope.text();
      if (nope.status !== 404 || !body.includes('no route for GET /nope')) throw new Error(`/nope answered ${nope.status} ${body.slice(0, 120)}`);
      const status = await fetch(`${base}/status.json`, { signal: AbortSignal.timeout(10_000) });
      const json = await status.text();
      if (status.status !== 200 || !json.includes('"sources"')) throw new Error(`/status.json answered ${status.status} ${json.slice(0, 200)}`);
    };
    const waitReady = async (what, ms) => {
      log(`waiting for wrangler dev on ${base} (${what}) …`);
      const deadline = Date.now() + ms;
      let streak = 0;
      let last = '';
      while (streak < 3) {
        if (gone)
          throw new Error(`wrangler dev exited (${JSON.stringify(await exited)}):\n${tail()}\n--- wrangler debug log (${debugLog}) ---\n${debugTail()}`);
        if (Date.now() > deadline) throw new Error(`wrangler dev not ready on ${base} after ${ms / 1000} s (last: ${last}):\n${tail()}`);
        try {
          await probe();
          streak++;
        } catch (e) {
          streak = 0;
          last = e.message;
          await new Promise((r) => setTimeout(r, 300));
        }
      }
    };
    await waitReady('start', 180_000);

    const admin = async (method, path, body, type = 'application/json') => {
      const r = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
      const text = await r.text();
      if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${text.slice(0, 300)}\n${tail()}`);
      return JSON.parse(text);
    };
    return { base, admin, waitReady, tail, debugTail, output: () => output, gone: () => gone, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
