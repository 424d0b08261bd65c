/**
 * The Web Worker path of the web extension (src/web/webWorker.ts with dist/web/trainingWorker.js and
 * completionWorker.js), in a Chromium page: the page plays the extension host (it answers the workers' file calls
 * from an in-memory PlatformFs instead of workspace.fs). Training writes a model through the host; the completion
 * worker builds its n-gram index, loads that model and completes.
 */
import type { PlatformFs } from '../../src/shared/platform';
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
  const training = startWebWorker(`${o.base}/dist/web/trainingWorker.js`, fs, { ...init, threaded });
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
    log(`Web Workers: training ${trained.type}; index, load, complete`);
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
    };
  } finally {
    training.handle.terminate();
    completion.handle.terminate();
  }
}
