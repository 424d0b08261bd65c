/**
 * The Web Worker path of the web extension (src/web/webWorker.ts with dist/web/trainingWorker.js and
 * completionWorker.js), in a Chromium page: the page plays the extension host (it answers the workers' file calls
 * from an in-memory PlatformFs instead of workspace.fs). Training writes a model through the host; the completion
 * worker builds its n-gram index, loads that model and completes.
 */
import type { PlatformFs } from '../../src/shared/platform';
import type { TrainProgress } from '../../src/shared/progress';
import { TypingSignal } from '../../src/shared/typing';
import type { CompletionResponse, TrainingEvent } from '../../src/shared/protocol';
import { startWebWorker } from '../../src/web/webWorker';
import type { WorkspaceFs } from '../../src/web/workspaceFs';

export interface WorkerCheck {
  trained: string;
  kernels: string;
  /** What the training run said differs on this platform (its `started` note). */
  note: string;
  indexFiles: number;
  loaded: boolean;
  items: string[];
  source: string;
  /**
   * A second run while the host sends keystrokes (every 100 ms for 1.5 s from the run's start): where the typing
   * buffer is not shared (a page that is not cross-origin isolated) they go as messages. Whether the run said it
   * paused, the steps it reported while the user typed (after its pause began), and how it ended.
   */
  typing: { shared: boolean; pausedSeen: boolean; stepsWhileTyping: number; pausedAtStep: number; finalStep: number; ended: string };
}

export async function webWorkerCheck(o: {
  fs: PlatformFs; root: string; wasmBytes: Uint8Array; base: string; log?: (line: string) => void;
  /** The threaded build's bytes and threads for the training worker (used where the page is cross-origin isolated). */
  threaded?: { wasmBytes: Uint8Array; threads: number };
}): Promise<WorkerCheck> {
  const log = o.log ?? (() => undefined);
  const init = { __inkling: 'init' as const, wasmBytes: o.wasmBytes, folders: [{ uri: 'file:///ws', path: o.root }] };
  const fs = o.fs as unknown as WorkspaceFs;
  const threaded = o.threaded ? { ...o.threaded, threadScript: `${o.base}/dist/web/kernelThread.js` } : undefined;
  // As src/web/extension.ts does: the typing buffer is shared where shared memory reaches workers; else relayed.
  const typingSignal = new TypingSignal();
  const shared = typeof SharedArrayBuffer === 'function' && typingSignal.buffer instanceof SharedArrayBuffer ? typingSignal.buffer : undefined;
  const training = startWebWorker(`${o.base}/dist/web/trainingWorker.js`, fs, { ...init, threaded, typing: shared });
  if (!shared) typingSignal.relayTo((at) => training.handle.postMessage({ __inkling: 'typing', at }));
  const completion = startWebWorker(`${o.base}/dist/web/completionWorker.js`, fs, init);
  try {
    log('Web Workers: starting the training and completion workers');
    await Promise.all([training.ready, completion.ready]);
    log('Web Workers: both ready; training 8 steps');
    let kernels = '';
    let note = '';
    const done = new Promise<TrainingEvent>((resolve) => training.handle.onMessage((m) => {
      const e = m as TrainingEvent;
      if (e.type === 'started') { kernels = e.kernels; note = e.kernelsNote ?? ''; }
      if (e.type === 'done' || e.type === 'error') resolve(e);
    }));
    const corpus = { include: ['**/*'], exclude: [], maxTotalBytes: 1 << 20 };
    training.handle.postMessage({
      type: 'train', id: 1, roots: [o.root], modelDir: '/store/model', resume: false, kernels: 'wasm', corpus,
      model: { cell: 'lstm', layers: 1, units: 32, embeddingSize: 8 },
      train: { minutes: 0, maxSteps: 8, batchSize: 4, seqLength: 32, validateEverySeconds: 3600, validationChars: 512 },
    });
    const trained = await done;
    log(`Web Workers: training ${trained.type}; a second run while the user types`);
    const typing = await typingRun(training.handle, typingSignal, o.root, corpus);
    typing.shared = shared !== undefined;
    log(`Web Workers: typing run ${JSON.stringify(typing)}; index, load, complete`);
    const replies = new Map<number, (r: CompletionResponse) => void>();
    completion.handle.onMessage((m) => { const r = m as CompletionResponse & { id: number }; replies.get(r.id)?.(r); });
    let id = 1;
    const ask = (body: Record<string, unknown>) => new Promise<CompletionResponse>((resolve) => {
      const n = id++;
      replies.set(n, resolve);
      completion.handle.postMessage({ ...body, id: n });
    });
    const indexed = await ask({ type: 'index', roots: [o.root], corpus });
    const loaded = await ask({ type: 'load', modelDir: '/store/model' });
    const r = await ask({
      type: 'complete', doc: 'file:///ws/typing.ts', context: 'export function ', wholePrefix: true, alternatives: 1, temperature: 0,
      maxChars: 24, stopAtNewline: true, seed: 1, mix: true, confidence: 0, languageId: 'typescript',
    });
    return {
      trained: trained.type === 'done' ? trained.stopReason : `error: ${trained.type === 'error' ? trained.message : ''}`,
      kernels,
      note,
      indexFiles: indexed.type === 'indexed' ? indexed.index?.files ?? 0 : -1,
      loaded: loaded.type === 'loaded' && loaded.model !== null,
      items: r.type === 'completion' ? r.items : [],
      source: r.type === 'completion' ? r.source : r.type,
      typing,
    };
  } finally {
    training.handle.terminate();
    completion.handle.terminate();
  }
}

/** Trains 300 steps while keystrokes come every 100 ms for the first 1.5 s; see {@link WorkerCheck.typing}. */
async function typingRun(handle: ReturnType<typeof startWebWorker>['handle'], signal: TypingSignal, root: string, corpus: Record<string, unknown>): Promise<WorkerCheck['typing']> {
  const events: { t: number; p: TrainProgress }[] = [];
  let typingEnd = Number.POSITIVE_INFINITY;
  let timer: ReturnType<typeof setInterval> | undefined;
  const ended = new Promise<TrainingEvent>((resolve) => handle.onMessage((m) => {
    const e = m as TrainingEvent;
    if (e.type === 'started' && e.id === 2) {
      const t0 = Date.now();
      signal.touch();
      timer = setInterval(() => {
        if (Date.now() - t0 >= 1500) { clearInterval(timer); typingEnd = Date.now(); return; }
        signal.touch();
      }, 100);
    }
    if (e.type === 'progress' && e.id === 2) events.push({ t: Date.now(), p: e.progress });
    if ((e.type === 'done' || e.type === 'error') && e.id === 2) resolve(e);
  }));
  handle.postMessage({
    type: 'train', id: 2, roots: [root], modelDir: '/store/typing-model', resume: false, kernels: 'wasm', corpus,
    model: { cell: 'lstm', layers: 1, units: 32, embeddingSize: 8 },
    train: { minutes: 0, maxSteps: 300, batchSize: 4, seqLength: 32, validateEverySeconds: 3600, validationChars: 512 },
  });
  const end = await ended;
  clearInterval(timer);
  const paused = events.find((e) => e.p.paused);
  const during = paused ? events.filter((e) => e.t > paused.t && e.t < typingEnd && !e.p.paused) : [];
  return {
    shared: false,
    pausedSeen: paused !== undefined,
    pausedAtStep: paused?.p.step ?? -1,
    stepsWhileTyping: during.length ? Math.max(...during.map((e) => e.p.step)) - paused!.p.step : 0,
    finalStep: end.type === 'done' ? end.progress?.step ?? -1 : -1,
    ended: end.type === 'done' ? end.stopReason : `error: ${end.type === 'error' ? end.message : ''}`,
  };
}
