// The browser runtime check and bench: both WebAssembly builds (single-threaded, plain memory; threaded, shared
// memory) loaded from bytes in a real Chromium page, served by a local HTTP server once without and once with
// cross-origin isolation (COOP same-origin + COEP require-corp), each checked against the JS reference kernels and
// timed (training chars/s for the default model at batch 32 and at the web host's batch 8; completion latency,
// typing and cold); and the same function in Node (plus the desktop's threaded kernels on 2 threads), side by side.
// The page's script is out/browser/runtime.js (test/browser/runtime.ts, built by scripts/build.mjs).
// Usage: node scripts/browser-runtime.mjs [--seconds N] [--responsiveness-seconds N] [--json]   (build first: npm run build && npx tsc -b)
import { createServer } from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshRunDir, launchBrowser } from './vscode-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
/** Text of the latency measurement: one of this repository's sources. */
const TEXT_FILE = path.join(root, 'src', 'engine', 'trainer.ts');

/** The corpus of the responsiveness measurement: this repository's engine sources, as {path: text}. */
function corpus() {
  const dir = path.join(root, 'src', 'engine');
  const out = {};
  for (const f of readdirSync(dir, { recursive: true })) {
    const file = path.join(dir, String(f));
    if (String(f).endsWith('.ts') && statSync(file).isFile()) out[`/ws/${String(f).split(path.sep).join('/')}`] = readFileSync(file, 'utf8');
  }
  return out;
}
/** What the measurement "types": the start of a source file, one character more per request. */
const TYPING_CONTEXT_FILE = path.join(root, 'src', 'engine', 'generate.ts');

const PAGE = '<!doctype html><meta charset="utf-8"><title>Inkling runtime</title><script src="/runtime.js"></script>';

/** Serves the page, its script and dist/'s wasm files; `isolated` adds the cross-origin isolation headers. */
export function serve({ isolated }) {
  const files = {
    '/': { type: 'text/html', body: () => PAGE },
    '/runtime.js': { type: 'text/javascript', body: () => readFileSync(path.join(root, 'out', 'browser', 'runtime.js')) },
    '/text': { type: 'text/plain; charset=utf-8', body: () => readFileSync(TEXT_FILE) },
    '/typing': { type: 'text/plain; charset=utf-8', body: () => readFileSync(TYPING_CONTEXT_FILE) },
    '/corpus.json': { type: 'application/json', body: () => JSON.stringify(corpus()) },
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x').pathname;
    const headers = isolated
      ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' }
      : {};
    const wasm = /^\/dist\/(inkling-kernels(-st)?\.wasm)$/.exec(url);
    const worker = /^\/dist\/web\/(trainingWorker|completionWorker)\.js$/.exec(url);
    const f = wasm ? { type: 'application/wasm', body: () => readFileSync(path.join(root, 'dist', wasm[1])) }
      : worker ? { type: 'text/javascript', body: () => readFileSync(path.join(root, 'dist', 'web', `${worker[1]}.js`)) }
        : files[url];
    if (!f) { res.writeHead(404, headers); res.end(); return; }
    res.writeHead(200, { ...headers, 'Content-Type': f.type, 'Cache-Control': 'no-store' });
    res.end(f.body());
  });
  // Chromium opens a spare connection beside the one it uses (a preconnect) and may never send a request on it:
  // server.close() closes only idle connections that have served a request, so it would wait for that one until
  // the server's headers timeout (a minute or more) closed it. Every socket is destroyed on close instead.
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((r) => {
      server.close(() => r());
      for (const socket of sockets) socket.destroy();
    }),
  })));
}

/**
 * Serves the page (with or without isolation), opens it in `context` and runs `fn(page)`; then closes the page and
 * the server. The page's `[inkling] ` console lines and its uncaught errors go to `log`.
 */
async function withPage({ isolated, context, log, ready }, fn) {
  const server = await serve({ isolated });
  const page = await context.newPage();
  const errors = [];
  try {
    page.on('pageerror', (e) => { errors.push(e.message); log(`page error: ${e.message}`); });
    page.on('console', (m) => { if (m.text().startsWith('[inkling] ')) log(m.text().slice(10)); });
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForFunction((name) => typeof globalThis[name] === 'function', ready);
    const out = await fn(page);
    if (errors.length) out.pageErrors = errors;
    return out;
  } finally {
    await page.close();
    await server.close();
  }
}

/** Runs the page's `inklingRuntime` in Chromium, served with or without isolation. */
export function runInChromium({ isolated, seconds, context, log = () => undefined }) {
  return withPage({ isolated, context, log, ready: 'inklingRuntime' }, (page) => page.evaluate(async (s) => globalThis.inklingRuntime({
    load: async (name) => new Uint8Array(await (await fetch(`/dist/${name}`)).arrayBuffer()),
    seconds: s, log: (line) => console.log(`[inkling] ${line}`),
    text: await (await fetch('/text')).text(),
  }), seconds));
}

/** The web host's thread while training runs on it, time-sliced, in Chromium (a page's thread, no isolation). */
export function responsivenessInChromium({ seconds, context, log = () => undefined }) {
  return withPage({ isolated: false, context, log, ready: 'inklingResponsiveness' }, (page) => page.evaluate(async (s) => globalThis.inklingResponsiveness({
    fs: globalThis.inklingMemoryFs(await (await fetch('/corpus.json')).json()), root: '/ws', modelDir: '/store/model',
    wasmBytes: new Uint8Array(await (await fetch('/dist/inkling-kernels-st.wasm')).arrayBuffer()),
    seconds: s, context: await (await fetch('/typing')).text(), log: (line) => console.log(`[inkling] ${line}`),
  }), seconds));
}

/** The web extension's Web Worker path in Chromium: dist/web's worker scripts, the page answering their file calls. */
export function webWorkersInChromium({ context, log = () => undefined }) {
  return withPage({ isolated: false, context, log, ready: 'inklingWebWorkerCheck' }, (page) => page.evaluate(async () => globalThis.inklingWebWorkerCheck({
    fs: globalThis.inklingMemoryFs(await (await fetch('/corpus.json')).json()), root: '/ws', base: globalThis.location.origin,
    wasmBytes: new Uint8Array(await (await fetch('/dist/inkling-kernels-st.wasm')).arrayBuffer()),
    log: (line) => console.log(`[inkling] ${line}`),
  })));
}

/** The same in Node (same in-memory files, same single-threaded build). */
export async function responsivenessInNode({ seconds }) {
  const { responsiveness, memoryFs } = require(path.join(root, 'out', 'test', 'browser', 'responsiveness.js'));
  return responsiveness({
    fs: memoryFs(corpus()), root: '/ws', modelDir: '/store/model',
    wasmBytes: new Uint8Array(readFileSync(path.join(root, 'dist', 'inkling-kernels-st.wasm'))),
    seconds, context: readFileSync(TYPING_CONTEXT_FILE, 'utf8'),
  });
}

/**
 * The same function in Node (the tsc build of test/browser/runtime.ts), with the desktop's 2 threads as well, in a
 * child process: its kernel threads then cannot share a process (and its cores) with the browser driver.
 */
export async function runInNode({ seconds, threads = 2 }) {
  const code = `const { runtime } = require(${JSON.stringify(path.join(root, 'out', 'test', 'browser', 'runtime.js'))});
    const fs = require('node:fs'); const path = require('node:path');
    runtime({ load: async (n) => new Uint8Array(fs.readFileSync(path.join(${JSON.stringify(path.join(root, 'dist'))}, n))),
      seconds: ${Number(seconds)}, text: fs.readFileSync(${JSON.stringify(TEXT_FILE)}, 'utf8'), threads: ${Number(threads)} })
      .then((r) => { process.stdout.write(JSON.stringify(r)); process.exit(0); }, (e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`the Node run failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** A logger that stamps each line with the seconds since it was made. */
export function phaseLog(write = (line) => process.stderr.write(`${line}\n`)) {
  const t0 = performance.now();
  return (line) => write(`[browser-runtime ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`);
}

/**
 * Node, then Chromium without and with cross-origin isolation; with `responsivenessSeconds`, that measurement too;
 * then the Web Workers check. `log` gets a line at the start and end of each phase (and the pages' own phases).
 */
export async function runAll({ seconds, responsivenessSeconds = 0, log = () => undefined }) {
  for (const f of ['out/browser/runtime.js', 'out/test/browser/runtime.js', 'dist/inkling-kernels.wasm', 'dist/inkling-kernels-st.wasm']) {
    if (!existsSync(path.join(root, f))) throw new Error(`${f} is missing: run \`npm run build && npx tsc -b\` first`);
  }
  const phase = async (name, fn) => {
    log(`${name}: start`);
    const r = await fn();
    log(`${name}: done`);
    return r;
  };
  const node = await phase('Node', () => runInNode({ seconds }));
  const context = await phase('Chromium launch', () => launchBrowser({ runDir: freshRunDir('browser-runtime') }));
  try {
    const plain = await phase('page, not isolated', () => runInChromium({ isolated: false, seconds, context, log }));
    const isolated = await phase('page, cross-origin isolated', () => runInChromium({ isolated: true, seconds, context, log }));
    const responsive = responsivenessSeconds > 0
      ? {
        chromium: await phase('responsiveness in the page', () => responsivenessInChromium({ seconds: responsivenessSeconds, context, log })),
        node: await phase('responsiveness in Node', () => responsivenessInNode({ seconds: responsivenessSeconds })),
      }
      : undefined;
    const workers = await phase('Web Workers in the page', () => webWorkersInChromium({ context, log }));
    return { node, plain, isolated, responsive, workers };
  } finally {
    await phase('Chromium close', () => context.close());
  }
}

function row(where, b) {
  const f = (x) => (x === undefined ? '–' : String(x));
  const lat = b.latency ? `${b.latency.typing.p50} / ${b.latency.cold.p50}` : '–';
  return `| ${where} | ${b.kernels}${b.fallbackReason ? ` (${b.fallbackReason})` : ''} | ${f(b.trainCharsPerSec)} | ${f(b.trainCharsPerSecBatch8)} | ${lat} | ${b.maxRelError === undefined ? '–' : b.maxRelError.toExponential(1)} |`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--seconds');
  const seconds = i >= 0 ? Number(process.argv[i + 1]) : 5;
  const j = process.argv.indexOf('--responsiveness-seconds');
  const all = await runAll({ seconds, responsivenessSeconds: j >= 0 ? Number(process.argv[j + 1]) : 30, log: phaseLog() });
  if (process.argv.includes('--json')) console.log(JSON.stringify(all, null, 2));
  console.log(`\n${all.node.where}; ${all.plain.where}. Default model (2 × LSTM 256), ${seconds} s per training figure.\n`);
  console.log('| where | kernels | train chars/s (batch 32 × 64) | (batch 8 × 64) | completion ms p50 typing / cold | max rel. error vs JS |');
  console.log('|---|---|---|---|---|---|');
  console.log(row('Node, threaded build, 2 threads', all.node.threadedMulti ?? { kernels: '–' }));
  console.log(row('Node, threaded build, 1 thread', all.node.threaded));
  console.log(row('Node, single-threaded build', all.node.single));
  console.log(row('Chromium, not isolated, single-threaded build', all.plain.single));
  console.log(row('Chromium, not isolated, threaded build', all.plain.threaded));
  console.log(row('Chromium, isolated, single-threaded build', all.isolated.single));
  console.log(row('Chromium, isolated, threaded build (1 thread)', all.isolated.threaded));
  console.log(`\nWeb Workers (dist/web/*Worker.js) in Chromium: ${JSON.stringify(all.workers)}`);
  if (all.responsive) {
    console.log('\nTraining time-sliced on one thread with completions asked back to back (the web host without workers):\n');
    console.log('| where | completions served | largest gap between two, ms | gap p50 / p95, ms | request p50 / max, ms | training chars/s | steps |');
    console.log('|---|---|---|---|---|---|---|');
    for (const [where, r] of [['Chromium page', all.responsive.chromium], ['Node', all.responsive.node]]) {
      console.log(`| ${where} | ${r.completions} | ${r.maxGapMs} | ${r.gapP50Ms} / ${r.gapP95Ms} | ${r.latencyP50Ms} / ${r.latencyMaxMs} | ${r.trainCharsPerSec} | ${r.trainSteps} |`);
    }
  }
}
