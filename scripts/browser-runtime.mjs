// The browser runtime check and bench: both WebAssembly builds (single-threaded, plain memory; threaded, shared
// memory) loaded from bytes in a real Chromium page, served by a local HTTP server once without and once with
// cross-origin isolation (COOP same-origin + COEP require-corp), each checked against the JS reference kernels and
// timed (training chars/s for the default model at batch 32 and at the web host's batch 8; completion latency,
// typing and cold); and the same function in Node (plus the desktop's threaded kernels on 2 threads), side by side.
// The page's script is out/browser/runtime.js (test/browser/runtime.ts, built by scripts/build.mjs).
// In the isolated page the threaded build also runs on several threads, in a dedicated worker with Web Workers as
// kernel threads; and training time-sliced on one thread is measured with completions asked between its steps.
// Usage: node scripts/browser-runtime.mjs [--seconds N] [--threads N] [--rounds N] [--responsiveness-seconds N] [--json] [--quiet]
//   (build first: npm run build && npx tsc -b). Phases are logged to stderr with their times; figures to stdout.
import { createServer } from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
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
    const worker = /^\/dist\/web\/(trainingWorker|completionWorker|kernelThread)\.js$/.exec(url);
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

/**
 * Runs the page's `inklingRuntime` in Chromium, served with or without isolation; in the isolated page, also the
 * threaded build on `threads` threads in a dedicated worker (kernel threads as nested Web Workers).
 */
export function runInChromium({ isolated, seconds, context, threads = 2, log = () => undefined }) {
  return withPage({ isolated, context, log, ready: 'inklingRuntime' }, (page) => page.evaluate(async ({ s, n }) => {
    const text = await (await fetch('/text')).text();
    const log = (line) => console.log(`[inkling] ${line}`);
    const report = await globalThis.inklingRuntime({
      load: async (name) => new Uint8Array(await (await fetch(`/dist/${name}`)).arrayBuffer()), seconds: s, log, text,
    });
    if (globalThis.crossOriginIsolated && n > 1) {
      report.threadedMulti = await globalThis.inklingThreadedInWorker({
        script: '/runtime.js', threadScript: '/dist/web/kernelThread.js', threads: n, seconds: s, text, log,
      });
    }
    return report;
  }, { s: seconds, n: threads }));
}

/** The web host's thread while training runs on it, time-sliced, in Chromium (a page's thread, no isolation). */
export function responsivenessInChromium({ seconds, context, log = () => undefined }) {
  return withPage({ isolated: false, context, log, ready: 'inklingResponsiveness' }, (page) => page.evaluate(async (s) => globalThis.inklingResponsiveness({
    fs: globalThis.inklingMemoryFs(await (await fetch('/corpus.json')).json()), root: '/ws', modelDir: '/store/model',
    wasmBytes: new Uint8Array(await (await fetch('/dist/inkling-kernels-st.wasm')).arrayBuffer()),
    seconds: s, context: await (await fetch('/typing')).text(), log: (line) => console.log(`[inkling] ${line}`),
  }), seconds));
}

/**
 * The web extension's Web Worker path in Chromium: dist/web's worker scripts, the page answering their file calls.
 * The training worker is offered the threaded build on `threads` threads, as the extension offers it where the page
 * is cross-origin isolated (`isolated`); elsewhere it must keep to the single-threaded build.
 */
export function webWorkersInChromium({ context, isolated = false, threads = 2, log = () => undefined }) {
  return withPage({ isolated, context, log, ready: 'inklingWebWorkerCheck' }, (page) => page.evaluate(async (n) => globalThis.inklingWebWorkerCheck({
    fs: globalThis.inklingMemoryFs(await (await fetch('/corpus.json')).json()), root: '/ws', base: globalThis.location.origin,
    wasmBytes: new Uint8Array(await (await fetch('/dist/inkling-kernels-st.wasm')).arrayBuffer()),
    threaded: { wasmBytes: new Uint8Array(await (await fetch('/dist/inkling-kernels.wasm')).arrayBuffer()), threads: n },
    log: (line) => console.log(`[inkling] ${line}`),
  }), threads));
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
export async function runAll({ seconds, responsivenessSeconds = 0, threads = 2, log = () => undefined }) {
  for (const f of ['out/browser/runtime.js', 'out/test/browser/runtime.js', 'dist/inkling-kernels.wasm', 'dist/inkling-kernels-st.wasm']) {
    if (!existsSync(path.join(root, f))) throw new Error(`${f} is missing: run \`npm run build && npx tsc -b\` first`);
  }
  const phase = async (name, fn) => {
    log(`${name}: start`);
    const r = await fn();
    log(`${name}: done`);
    return r;
  };
  const node = await phase('Node', () => runInNode({ seconds, threads }));
  const context = await phase('Chromium launch', () => launchBrowser({ runDir: freshRunDir('browser-runtime') }));
  try {
    const plain = await phase('page, not isolated', () => runInChromium({ isolated: false, seconds, context, log }));
    const isolated = await phase('page, cross-origin isolated', () => runInChromium({ isolated: true, seconds, context, threads, log }));
    const responsive = responsivenessSeconds > 0
      ? {
        chromium: await phase('responsiveness in the page', () => responsivenessInChromium({ seconds: responsivenessSeconds, context, log })),
        node: await phase('responsiveness in Node', () => responsivenessInNode({ seconds: responsivenessSeconds })),
      }
      : undefined;
    const workers = await phase('Web Workers in the page', () => webWorkersInChromium({ context, threads, log }));
    const isolatedWorkers = await phase('Web Workers in the isolated page', () => webWorkersInChromium({ context, isolated: true, threads, log }));
    return { node, plain, isolated, responsive, workers, isolatedWorkers };
  } finally {
    await phase('Chromium close', () => context.close());
  }
}

const num = (x, d = 0) => (x === undefined || x === null || !Number.isFinite(x) ? '–' : x.toFixed(d));
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '–');
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' / ');

/** The first round's report with each build's figures replaced by their median over the rounds. */
export function medianOfRounds(runs) {
  const med = (xs) => {
    const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
    if (v.length === 0) return undefined;
    const h = v.length >> 1;
    return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
  };
  const out = structuredClone(runs[0]);
  for (const where of ['node', 'plain', 'isolated']) {
    for (const build of ['single', 'threaded', 'threadedMulti']) {
      const b = out[where][build];
      if (!b) continue;
      const all = runs.map((r) => r[where][build]).filter((x) => x);
      const round = (x, d) => (x === undefined ? undefined : Number(x.toFixed(d)));
      b.trainCharsPerSec = round(med(all.map((x) => x.trainCharsPerSec)), 0);
      b.trainCharsPerSecBatch8 = round(med(all.map((x) => x.trainCharsPerSecBatch8)), 0);
      if (b.latency) {
        for (const kind of ['typing', 'cold']) for (const p of ['p50', 'p90', 'p95']) b.latency[kind][p] = round(med(all.map((x) => x.latency?.[kind][p])), 2);
      }
      if (runs.length > 1) b.roundsTrainCharsPerSec = all.map((x) => x.trainCharsPerSec);
    }
  }
  return out;
}

/** The bench table: training chars/s and completion latency per build and page, with ratios to the desktop's paths. */
export function printBench(all, { seconds, threads, rounds = 1 }) {
  const desktop = all.node.threadedMulti ?? all.node.threaded;
  const desktopLatency = all.node.threaded.latency;
  console.log(`\n${all.node.where}; ${all.plain.where}; ${os.cpus().length} cores. Load average (1 / 5 / 15 min) before: ${all.loadBefore}; after: ${all.loadAfter}.`);
  console.log('The machine may be loaded by other runs: the figures are noisy; the ratios, measured side by side in this run, less so.');
  console.log(`Default model (embedding 32, 2 × LSTM 256, vocabulary 96): chars/s of the median training step, after ${seconds} s of steps per figure${rounds > 1 ? `; each figure the median of ${rounds} rounds (every path measured once per round, in turn)` : ''}.`);
  console.log('Completion latency as `inkling bench` measures it (src/bench/latency.ts): a 40-character greedy suggestion from 256 characters of context, the LSTM mixed with the n-gram and match models;');
  console.log('typing = the document\'s state cached, one new character (100 requests); cold = the first request on a new document (20). Ratios: training to Node\'s threaded build on');
  console.log(`${desktop.kernels === all.node.threaded.kernels ? 1 : threads} thread(s) (the desktop's training), latency to Node's threaded build on 1 thread (the desktop's completion worker).\n`);
  console.log('| where | kernels | train chars/s, batch 32 × 64 | vs desktop | batch 8 × 64 | vs desktop | typing ms p50 / p90 | vs desktop (p50) | cold ms p50 / p90 | vs desktop (p50) | max rel. error vs JS |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  const row = (where, b) => {
    if (!b) return;
    const l = b.latency;
    console.log(`| ${where} | ${b.kernels}${b.fallbackReason ? ` (${b.fallbackReason})` : ''} | ${num(b.trainCharsPerSec)} | ${ratio(b.trainCharsPerSec, desktop.trainCharsPerSec)} | ${num(b.trainCharsPerSecBatch8)} | ${ratio(b.trainCharsPerSecBatch8, desktop.trainCharsPerSecBatch8)} | `
      + `${l ? `${l.typing.p50} / ${l.typing.p90}` : '–'} | ${ratio(l?.typing.p50, desktopLatency?.typing.p50)} | ${l ? `${l.cold.p50} / ${l.cold.p90}` : '–'} | ${ratio(l?.cold.p50, desktopLatency?.cold.p50)} | ${b.maxRelError === undefined ? '–' : b.maxRelError.toExponential(1)} |`);
  };
  row(`Node, threaded build, ${threads} threads (desktop training)`, all.node.threadedMulti);
  row('Node, threaded build, 1 thread (desktop completion)', all.node.threaded);
  row('Node, single-threaded build', all.node.single);
  row('Chromium page, not isolated, single-threaded build', all.plain.single);
  row('Chromium page, not isolated, threaded build', all.plain.threaded);
  row('Chromium page, isolated, single-threaded build', all.isolated.single);
  row('Chromium page, isolated, threaded build, 1 thread', all.isolated.threaded);
  row(`Chromium worker in the isolated page, threaded build, ${threads} threads`, all.isolated.threadedMulti);
  if (all.responsive) {
    const [c, n] = [all.responsive.chromium, all.responsive.node];
    console.log(`\nTraining time-sliced on one thread (single-threaded build, batch ${c.training.batchSize}) with completion requests asked back to back, one new character each (the web extension host without workers):\n`);
    console.log('| where | completions served | largest gap between two, ms | median gap, ms | gap p95, ms | request p50 / max, ms | training chars/s | steps |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const [where, r] of [['Chromium page', c], ['Node', n]]) {
      console.log(`| ${where} | ${r.completions} | ${r.maxGapMs} | ${r.gapP50Ms} | ${r.gapP95Ms} | ${r.latencyP50Ms} / ${r.latencyMaxMs} | ${r.trainCharsPerSec} | ${r.trainSteps} |`);
    }
    console.log(`\nChromium to Node: largest gap ${ratio(c.maxGapMs, n.maxGapMs)}, median gap ${ratio(c.gapP50Ms, n.gapP50Ms)}, training ${ratio(c.trainCharsPerSec, n.trainCharsPerSec)}.`);
    for (const [where, r] of [['Chromium page', c], ['Node', n]]) {
      console.log(`Training events during the largest gap (${where}; ms into the gap): ${r.maxGapEvents.join(', ') || 'none (inside one step)'}`);
    }
  }
  console.log(`\nWeb Workers (dist/web/*Worker.js) in Chromium: ${JSON.stringify(all.workers)}`);
  console.log(`The same in the cross-origin isolated page: ${JSON.stringify(all.isolatedWorkers)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, d) => { const i = process.argv.indexOf(name); return i >= 0 ? Number(process.argv[i + 1]) : d; };
  const seconds = arg('--seconds', 5);
  const threads = arg('--threads', 2);
  const json = process.argv.includes('--json');
  const rounds = Math.max(1, arg('--rounds', 1));
  const log = process.argv.includes('--quiet') ? undefined : phaseLog();
  const loadBefore = loadavg();
  // Each round measures every path once, in the same order; the responsiveness measurement runs in the first only.
  const runs = [];
  for (let r = 0; r < rounds; r++) {
    runs.push(await runAll({ seconds, threads, responsivenessSeconds: r === 0 ? arg('--responsiveness-seconds', 30) : 0, log }));
  }
  const all = medianOfRounds(runs);
  Object.assign(all, { loadBefore, loadAfter: loadavg(), cores: os.cpus().length, seconds, threads, rounds });
  if (json) console.log(JSON.stringify(all, null, 2));
  else printBench(all, { seconds, threads, rounds });
}
