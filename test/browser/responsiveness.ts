/**
 * How the web extension host's thread fares when training runs on it, time-sliced (src/web/inProcess.ts, where
 * the host allows no workers): the training and completion servers on one thread over the in-process channel,
 * completion requests asked back to back while training runs (as a user typing: one character more each time).
 * Reports the largest gap between two served completions, the request latency, and training's chars/s. Runs in a
 * Chromium page (the same thread model as the web worker extension host) and in Node (scripts/browser-runtime.mjs).
 */
import type { PlatformFs, FsEntryKind } from '../../src/shared/platform';
import { FsError, nextTurn } from '../../src/shared/platform';
import type { CompletionResponse, TrainingEvent } from '../../src/shared/protocol';
import type { TrainConfig } from '../../src/shared/modelConfig';
import { percentile } from '../../src/shared/percentile';
import { TypingSignal } from '../../src/shared/typing';
import { serveCompletion } from '../../src/workers/completion';
import { serveTraining } from '../../src/workers/training';
import { inProcess } from '../../src/web/inProcess';

/**
 * A PlatformFs over a map of files (the page has no file system; the corpus is fetched into it). Every call answers
 * in a later turn, as `workspace.fs` does (a round trip to the workbench): promises that resolve at once would make
 * a chain of file calls one long turn that the real host never has.
 */
export function memoryFs(files: Record<string, string>): PlatformFs {
  const fs = memoryFsNow(files);
  const later = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => { await nextTurn(); return f(...a); };
  return {
    stat: later(fs.stat), readDirectory: later(fs.readDirectory), readFile: later(fs.readFile), writeFile: later(fs.writeFile),
    createDirectory: later(fs.createDirectory), rename: later(fs.rename), delete: later(fs.delete),
  };
}

function memoryFsNow(files: Record<string, string>): PlatformFs {
  const data = new Map<string, Uint8Array>(Object.entries(files).map(([p, t]) => [p, new TextEncoder().encode(t)]));
  const dirs = new Set<string>(['/']);
  const addDirs = (p: string) => { for (let d = p.slice(0, p.lastIndexOf('/')); d; d = d.slice(0, d.lastIndexOf('/'))) dirs.add(d); };
  for (const p of data.keys()) addDirs(p);
  const missing = (p: string) => new FsError('ENOENT', `${p}: no such file`);
  return {
    async stat(p) {
      const f = data.get(p);
      if (f) return { kind: 'file', size: f.length };
      if (dirs.has(p)) return { kind: 'dir', size: 0 };
      throw missing(p);
    },
    async readDirectory(p) {
      if (!dirs.has(p)) throw missing(p);
      const prefix = p === '/' ? '/' : `${p}/`;
      const out = new Map<string, FsEntryKind>();
      for (const f of data.keys()) if (f.startsWith(prefix)) { const r = f.slice(prefix.length); out.set(r.split('/')[0]!, r.includes('/') ? 'dir' : 'file'); }
      for (const d of dirs) if (d.startsWith(prefix) && d !== p) { const r = d.slice(prefix.length); out.set(r.split('/')[0]!, 'dir'); }
      return [...out].map(([name, kind]) => ({ name, kind }));
    },
    async readFile(p) {
      const f = data.get(p);
      if (!f) throw missing(p);
      return f.slice();
    },
    async writeFile(p, d) { data.set(p, d.slice()); addDirs(p); },
    async createDirectory(p) { dirs.add(p); addDirs(`${p}/x`); },
    async rename(a, b) {
      if (data.has(b) || dirs.has(b)) throw new FsError('EEXIST', `${b} exists`);
      for (const [k, v] of [...data]) if (k === a || k.startsWith(`${a}/`)) { data.delete(k); data.set(b + k.slice(a.length), v); }
      for (const d of [...dirs]) if (d === a || d.startsWith(`${a}/`)) { dirs.delete(d); dirs.add(b + d.slice(a.length)); }
    },
    async delete(p) {
      for (const k of [...data.keys()]) if (k === p || k.startsWith(`${p}/`)) data.delete(k);
      for (const d of [...dirs]) if (d === p || d.startsWith(`${p}/`)) dirs.delete(d);
    },
  };
}

export interface ResponsivenessResult {
  completions: number;
  /** Largest time between two consecutive served completions while training ran, ms. */
  maxGapMs: number;
  /** The training events that came during that gap (what the thread was busy with), with their time in it, ms. */
  maxGapEvents: string[];
  gapP50Ms: number;
  gapP95Ms: number;
  /** Request → reply, ms. */
  latencyP50Ms: number;
  latencyMaxMs: number;
  trainCharsPerSec: number;
  trainSteps: number;
  kernels: string;
  training: Partial<TrainConfig>;
}

export async function responsiveness(o: {
  fs: PlatformFs; root: string; modelDir: string; wasmBytes: Uint8Array; seconds: number; context: string;
  training?: Partial<TrainConfig>;
  /** Called at each phase (the page's console.log, forwarded by scripts/browser-runtime.mjs). */
  log?: (line: string) => void;
}): Promise<ResponsivenessResult> {
  const log = o.log ?? (() => undefined);
  const env = { fs: o.fs, kernels: { wasmBytes: o.wasmBytes, sharedMemory: false, threads: 1 } };
  const trainCfg: Partial<TrainConfig> = o.training ?? { batchSize: 8, validationChars: 8192 };
  const training = inProcess((port) => serveTraining(port, { ...env, typing: new TypingSignal() }), Promise.resolve(), { type: 'stop' });
  const completion = inProcess((port) => serveCompletion(port, env), Promise.resolve());
  let onDone: (e: TrainingEvent) => void = () => undefined;
  let lastProgress: Extract<TrainingEvent, { type: 'progress' }>['progress'] | null = null;
  let kernels = '';
  const events: { t: number; what: string }[] = [];
  training.onMessage((m) => {
    const e = m as TrainingEvent;
    events.push({ t: performance.now(), what: e.type === 'progress' ? `progress (step ${e.progress.step})` : e.type });
    if (e.type === 'progress') lastProgress = e.progress;
    if (e.type === 'started') kernels = e.kernels;
    if (e.type === 'done' || e.type === 'error') onDone(e);
  });
  const replies = new Map<number, (r: CompletionResponse) => void>();
  completion.onMessage((m) => { const r = m as CompletionResponse & { id: number }; replies.get(r.id)?.(r); replies.delete(r.id); });
  let id = 1;
  const ask = (body: Record<string, unknown>) => new Promise<CompletionResponse>((resolve) => {
    const n = id++;
    replies.set(n, resolve);
    completion.postMessage({ ...body, id: n });
  });
  const train = (n: number, minutes: number, maxSteps: number, resume: boolean) => new Promise<TrainingEvent>((resolve) => {
    onDone = resolve;
    training.postMessage({
      type: 'train', id: n, roots: [o.root], modelDir: o.modelDir, resume, kernels: 'wasm',
      corpus: { include: ['**/*'], exclude: [], maxTotalBytes: 4 << 20 },
      model: {}, train: { ...trainCfg, minutes, maxSteps },
    });
  });
  try {
    // A first model, so completions run the LSTM (mixed with the n-gram model, as by default).
    log('responsiveness: first training run (6 steps)');
    const first = await train(1, 0, 6, false);
    if (first.type !== 'done') throw new Error(`the first training run failed: ${JSON.stringify(first)}`);
    const loaded = await ask({ type: 'load', modelDir: o.modelDir });
    if (loaded.type !== 'loaded') throw new Error(`load failed: ${JSON.stringify(loaded)}`);
    await ask({ type: 'index', roots: [o.root], corpus: { include: ['**/*'], exclude: [], maxTotalBytes: 4 << 20 } });
    log(`responsiveness: training ${o.seconds} s with completions asked back to back`);
    let finished = false;
    const run = train(2, o.seconds / 60, 0, true).then((e) => { finished = true; return e; });
    const gaps: number[] = [];
    const ends: number[] = [];
    const latencies: number[] = [];
    let prev = performance.now();
    let typed = 0;
    while (!finished) {
      const context = o.context.slice(0, 64 + (typed++ % (o.context.length - 64)));
      const t0 = performance.now();
      const r = await ask({
        type: 'complete', doc: 'file:///typing.ts', context, wholePrefix: true, alternatives: 1, temperature: 0,
        maxChars: 40, stopAtNewline: true, seed: 1, mix: true, confidence: 0.4, languageId: 'typescript',
      });
      if (r.type !== 'completion') throw new Error(`completion failed: ${JSON.stringify(r)}`);
      const now = performance.now();
      latencies.push(now - t0);
      gaps.push(now - prev);
      ends.push(now);
      prev = now;
      // The next keystroke comes in a later task, as the next request from the workbench would.
      await nextTurn();
    }
    const end = await run;
    log(`responsiveness: training done, ${gaps.length} completions served`);
    const progress = end.type === 'done' && end.progress ? end.progress : lastProgress;
    const worst = gaps.indexOf(Math.max(...gaps));
    const [from, to] = [ends[worst]! - gaps[worst]!, ends[worst]!];
    const maxGapEvents = events.filter((e) => e.t > from && e.t <= to).map((e) => `${e.what} at ${Math.round(e.t - from)}`);
    return {
      completions: gaps.length, maxGapMs: round(Math.max(...gaps)), maxGapEvents, gapP50Ms: round(percentile(gaps, 50)), gapP95Ms: round(percentile(gaps, 95)),
      latencyP50Ms: round(percentile(latencies, 50)), latencyMaxMs: round(Math.max(...latencies)),
      trainCharsPerSec: Math.round(progress?.charsPerSec ?? 0), trainSteps: progress?.step ?? 0, kernels, training: trainCfg,
    };
  } finally {
    training.terminate();
    completion.terminate();
  }
}

function round(x: number): number {
  return Number(x.toFixed(1));
}
