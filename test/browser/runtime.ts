/**
 * The browser runtime check and bench (bundled by scripts/build.mjs into out/browser/runtime.js, an IIFE that sets
 * `globalThis.inklingRuntime`; scripts/browser-runtime.mjs serves it to Chromium with and without cross-origin
 * isolation, and runs the same function in Node for the figures side by side). Both WebAssembly builds are loaded
 * from bytes as the web extension loads them: the single-threaded one (plain memory) must work everywhere SIMD
 * does, the threaded one (shared memory) only where SharedArrayBuffer exists (a cross-origin isolated page, Node).
 * Each is checked against the JS reference kernels; then training speed and completion latency are measured.
 */
import { createKernels, JsKernels, wasmSupportProblem, webThreadStarter, type Kernels } from '../../src/engine/kernels';
import { benchEngine } from '../../src/bench/training';
import { benchLatency, type LatencySpread } from '../../src/bench/latency';
import { DEFAULT_MODEL } from '../../src/shared/modelConfig';
import { Rng } from '../../src/engine/rng';
import { trainOnText } from '../../src/engine/pipeline';
import { memoryFs, responsiveness } from './responsiveness';
import { webWorkerCheck } from './webWorkers';

export interface RuntimeOptions {
  /** Reads a file of the package's dist/ (fetch in the page, fs in Node). */
  load(name: string): Promise<Uint8Array>;
  /** Seconds per training measurement (0: the checks only). */
  seconds: number;
  /** Text for the latency measurement (its characters make the vocabulary). */
  text: string;
  /**
   * Also measure the threaded build on this many threads: kernel threads are worker_threads in Node; in a browser
   * they are Web Workers on `threadScript`, and the caller must itself be a worker (see {@link threadedInWorker}).
   */
  threads?: number;
  /** URL of dist/web/kernelThread.js, for kernel threads in a browser. */
  threadScript?: string;
  /** Only these builds (default: single and threaded, and threadedMulti with `threads`). */
  only?: ('single' | 'threaded' | 'threadedMulti')[];
  /** Called at the start and end of each phase (the page's console.log, forwarded by scripts/browser-runtime.mjs). */
  log?: (line: string) => void;
}

export interface BuildReport {
  kernels: string;
  fallbackReason?: string;
  /** Largest |wasm − JS| over two gemms, relative to the largest |JS| value. */
  maxRelError?: number;
  /** Largest weight difference after three training steps on wasm and on JS, relative to the largest weight. */
  trainingRelError?: number;
  trainCharsPerSec?: number;
  trainCharsPerSecBatch8?: number;
  latency?: { typing: LatencySpread; cold: LatencySpread };
}

export interface RuntimeReport {
  where: string;
  crossOriginIsolated: boolean;
  sharedArrayBuffer: boolean;
  simd: string;
  single: BuildReport;
  threaded: BuildReport;
  threadedMulti?: BuildReport;
}

function random(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

/** Three training steps of a small LSTM on `k` and on the JS kernels: the largest weight difference, relative. */
/** The largest difference between `x` and the reference `y`, relative to the largest value of `y`. */
function relativeError(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let err = 0;
  let max = 0;
  for (let i = 0; i < y.length; i++) {
    err = Math.max(err, Math.abs(x[i]! - y[i]!));
    max = Math.max(max, Math.abs(y[i]!));
  }
  return err / max;
}

async function trainingError(k: Kernels): Promise<number> {
  const text = 'the quick brown fox jumps over the lazy dog; '.repeat(40);
  const run = (kernels: Kernels) => trainOnText({
    kernels, texts: { train: [text], validation: [] },
    model: { cell: 'lstm', layers: 1, units: 24, embeddingSize: 8, dropout: 0 },
    train: { minutes: 0, maxSteps: 3, batchSize: 4, seqLength: 16, validateEverySeconds: 3600, seed: 3 },
  });
  const [x, y] = [(await run(k)).weights, (await run(new JsKernels())).weights];
  return relativeError(x, y);
}

/** The same products on `k` and on the JS kernels: the largest difference relative to the largest value. */
function referenceError(k: Kernels): number {
  const js = new JsKernels();
  const rng = new Rng(5);
  const [m, n, kk] = [37, 91, 70];
  const a = random(m * kk, rng);
  const b = random(kk * n, rng);
  const run = (ker: Kernels) => {
    const A = ker.alloc(a.length); A.set(a);
    const B = ker.alloc(b.length); B.set(b);
    const C = ker.alloc(m * n);
    ker.gemm(false, true, m, n, kk, A, kk, B, kk, C, n, false);
    ker.gemm(true, false, m, n, kk, A, m, B, n, C, n, true);
    return [...C];
  };
  const x = run(k);
  const y = run(js);
  return relativeError(x, y);
}

async function measure(k: Kernels, opts: RuntimeOptions): Promise<Omit<BuildReport, 'kernels'>> {
  const log = opts.log ?? (() => undefined);
  log(`${k.name}: gemm check`);
  const maxRelError = referenceError(k);
  log(`${k.name}: training check`);
  const out: Omit<BuildReport, 'kernels'> = { maxRelError, trainingRelError: await trainingError(k) };
  log(`${k.name}: checks done`);
  if (opts.seconds > 0) {
    const c = { ...DEFAULT_MODEL, vocabSize: 96 };
    out.trainCharsPerSec = Math.round((await benchEngine(k, c, 32, 64, opts.seconds)).charsPerSec ?? 0);
    out.trainCharsPerSecBatch8 = Math.round((await benchEngine(k, c, 8, 64, opts.seconds)).charsPerSec ?? 0);
    const l = benchLatency(k, { ...DEFAULT_MODEL, vocabSize: 0 }, opts.text, 256, 100);
    out.latency = { typing: l.typing, cold: l.cold };
  }
  return out;
}

export async function runtime(opts: RuntimeOptions): Promise<RuntimeReport> {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { userAgent?: string }; process?: { version?: string } };
  const report: RuntimeReport = {
    where: g.navigator?.userAgent?.includes('Chrome') ? `Chromium (${/Chrome\/[\d.]+/.exec(g.navigator.userAgent)?.[0] ?? '?'})` : `Node ${g.process?.version ?? '?'}`,
    crossOriginIsolated: g.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    simd: wasmSupportProblem(false) ?? 'yes',
    single: { kernels: '' },
    threaded: { kernels: '' },
  };
  const builds: [keyof RuntimeReport & ('single' | 'threaded' | 'threadedMulti'), Parameters<typeof createKernels>[0]][] = [
    ['single', { prefer: 'wasm', sharedMemory: false, wasmBytes: await opts.load('inkling-kernels-st.wasm') }],
    ['threaded', { prefer: 'wasm', sharedMemory: true, threads: 1, wasmBytes: await opts.load('inkling-kernels.wasm') }],
  ];
  if (opts.threads && opts.threads > 1) {
    builds.push(['threadedMulti', {
      prefer: 'wasm', sharedMemory: true, threads: opts.threads, wasmBytes: await opts.load('inkling-kernels.wasm'),
      startThread: opts.threadScript ? webThreadStarter(opts.threadScript) : undefined,
    }]);
  }
  for (const [key, o] of builds) {
    if (opts.only && !opts.only.includes(key)) continue;
    opts.log?.(`${key}: creating kernels`);
    if (opts.seconds > 0) opts.log?.(`${key}: then ${opts.seconds} s at batch 32, ${opts.seconds} s at batch 8 and the latency run`);
    const { kernels, fallbackReason } = await createKernels(o);
    try {
      report[key] = { kernels: kernels.name, fallbackReason, ...(kernels instanceof JsKernels ? {} : await measure(kernels, opts)) };
    } finally {
      kernels.dispose();
    }
  }
  return report;
}

/**
 * In a cross-origin isolated page: the threaded build on `threads` threads, measured in a dedicated worker running
 * this same script (a page's main thread may not block in Atomics.wait, which the calling thread of split gemms
 * does), with its kernel threads as nested Web Workers. Resolves with the worker's report; its log lines come
 * through `log`.
 */
export function threadedInWorker(o: { script: string; threadScript: string; threads: number; seconds: number; text: string; log?: (line: string) => void }): Promise<BuildReport> {
  const WorkerCtor = (globalThis as unknown as { Worker: new (url: string) => WorkerLike }).Worker;
  const w = new WorkerCtor(o.script);
  return new Promise<BuildReport>((resolve, reject) => {
    w.addEventListener('message', (e) => {
      const m = e.data as { log?: string; report?: RuntimeReport; error?: string };
      if (m.log !== undefined) o.log?.(`(worker) ${m.log}`);
      else if (m.error !== undefined) reject(new Error(`the runtime worker failed: ${m.error}`));
      else if (m.report) resolve(m.report.threadedMulti ?? { kernels: 'none' });
    });
    w.addEventListener('error', (e) => reject(new Error(`the runtime worker failed: ${e.message ?? 'error event'}`)));
    w.postMessage({ runtimeWorker: { threads: o.threads, threadScript: o.threadScript, seconds: o.seconds, text: o.text } });
  }).finally(() => w.terminate());
}

interface WorkerLike {
  postMessage(m: unknown): void;
  terminate(): void;
  addEventListener(type: 'message' | 'error', f: (e: { data?: unknown; message?: string }) => void): void;
}

// Run as a dedicated worker by threadedInWorker: the first message says what to measure.
const scope = globalThis as unknown as { WorkerGlobalScope?: unknown; location?: { origin: string } } & WorkerLike;
if (scope.WorkerGlobalScope !== undefined && typeof scope.addEventListener === 'function') {
  scope.addEventListener('message', (e) => {
    const m = (e.data as { runtimeWorker?: { threads: number; threadScript: string; seconds: number; text: string } }).runtimeWorker;
    if (!m) return;
    runtime({
      ...m, only: ['threadedMulti'], log: (line) => scope.postMessage({ log: line }),
      load: async (name) => new Uint8Array(await (await fetch(`${scope.location?.origin ?? ''}/dist/${name}`)).arrayBuffer()),
    }).then((report) => scope.postMessage({ report }), (err: unknown) => scope.postMessage({ error: err instanceof Error ? err.stack ?? err.message : String(err) }));
  });
}

(globalThis as { inklingRuntime?: typeof runtime }).inklingRuntime = runtime;
(globalThis as { inklingThreadedInWorker?: typeof threadedInWorker }).inklingThreadedInWorker = threadedInWorker;
(globalThis as { inklingResponsiveness?: typeof responsiveness }).inklingResponsiveness = responsiveness;
(globalThis as { inklingMemoryFs?: typeof memoryFs }).inklingMemoryFs = memoryFs;
(globalThis as { inklingWebWorkerCheck?: typeof webWorkerCheck }).inklingWebWorkerCheck = webWorkerCheck;
