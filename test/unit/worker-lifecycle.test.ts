// Cancellation with the real bundled workers (dist/): disposing the training client mid-run (what closing the
// window or disabling the extension does) ends the training worker and its kernel threads promptly, resolves the
// run as aborted, and leaves the best checkpoint loadable; disposing the completion client ends its worker too.
// Threads are counted from /proc/self/task (Linux), so a nested kernel thread left behind would show.
import assert from 'node:assert/strict';
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompletionClient } from '../../src/host/completionClient';
import { loadModel } from '../../src/engine/format';
import type { TrainingEvent } from '../../src/shared/protocol';
import { TrainingClient } from '../../src/host/trainingClient';
import { repoRoot } from '../helpers/paths';

const dist = path.join(repoRoot, 'dist');
const threads = (): number => readdirSync('/proc/self/task').length;

async function until(what: string, probe: () => boolean, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  while (!probe()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - t0;
}

/** The longest a worker may take to go away after dispose. */
const EXIT_BOUND_MS = 2000;

describe('worker lifecycle (bundled workers)', function () {
  this.timeout(180_000);
  let dir: string;
  let baseline: number;

  before(async function () {
    if (!existsSync('/proc/self/task')) this.skip();
    for (const f of ['trainingWorker.js', 'completionWorker.js', 'kernelThread.js']) {
      if (!existsSync(path.join(dist, f))) throw new Error(`dist/${f} is missing: run npm run build first`);
    }
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-lifecycle-'));
    const ws = path.join(dir, 'ws');
    await fs.mkdir(path.join(ws, 'src'), { recursive: true });
    const line = (i: number) => `export function add${i}(a: number, b: number): number { return a * ${i % 7} + b; }\n`;
    for (let f = 0; f < 10; f++) await fs.writeFile(path.join(ws, 'src', `m${f}.ts`), Array.from({ length: 80 }, (_, i) => line(f * 100 + i)).join(''));
    await new Promise((r) => setTimeout(r, 200));
    baseline = threads();
  });
  after(async () => { if (dir) await fs.rm(dir, { recursive: true, force: true }); });

  it('disposing the training client mid-run ends the worker and its kernel threads and keeps the best checkpoint', async () => {
    const modelDir = path.join(dir, 'model');
    const client = new TrainingClient(path.join(dist, 'trainingWorker.js'));
    const events: TrainingEvent[] = [];
    client.onEvent((e) => events.push(e));
    // The first checkpoint (a tiny repetitive corpus may not improve on it again), then a little more training.
    const checkpoint = new Promise<void>((resolve, reject) => client.onEvent((e) => {
      if (e.type === 'checkpoint') resolve();
      if (e.type === 'error' || e.type === 'done') reject(new Error(`the run ended before a checkpoint: ${JSON.stringify(e).slice(0, 300)}`));
    }));
    const run = client.run({
      type: 'train', roots: [path.join(dir, 'ws')], modelDir, resume: false,
      corpus: { include: ['**/*'], exclude: [], maxTotalBytes: 1 << 20 },
      model: { cell: 'lstm', layers: 1, units: 32 }, train: { minutes: 5, validateEverySeconds: 1, batchSize: 8, seqLength: 32 },
      kernels: 'wasm',
    });
    await checkpoint;
    await new Promise((r) => setTimeout(r, 300));
    const during = threads();
    const kernels = events.find((e) => e.type === 'started');
    assert.ok(kernels?.type === 'started');
    // The worker, plus a kernel thread when the wasm kernels run on more than one core.
    assert.ok(during >= baseline + 1, `${during} threads while training, ${baseline} before`);

    const t0 = performance.now();
    client.dispose();
    const result = await run;
    assert.equal(result.type, 'done');
    assert.equal(result.type === 'done' && result.stopReason, 'aborted', 'the run in progress resolves as aborted');
    await client.workerExited;
    const exitMs = performance.now() - t0;
    const threadsGoneMs = await until('the worker threads to end', () => threads() <= baseline, EXIT_BOUND_MS);
    console.log(`      ${kernels.kernels} kernels; ${during - baseline} extra thread(s) while training; worker exited ${exitMs.toFixed(0)} ms after dispose, all threads gone after ${(performance.now() - t0).toFixed(0)} ms`);
    assert.ok(exitMs < EXIT_BOUND_MS, `the worker exited after ${exitMs} ms`);
    assert.ok(threadsGoneMs < EXIT_BOUND_MS);

    // The best checkpoint written before the shutdown loads, and no half-written folder is left beside it.
    const saved = await loadModel(modelDir);
    assert.equal(saved.config.units, 32);
    assert.ok(Number.isFinite(saved.meta.training?.validationBitsPerChar), 'the checkpoint carries its validation figure');
    const leftovers = readdirSync(dir).filter((f) => f.startsWith('model.tmp'));
    assert.ok(leftovers.length <= 1, `temporary folders: ${leftovers.join(', ')}`);
    await assert.rejects(client.run({ type: 'import', from: modelDir, modelDir, roots: [], corpus: { include: ['**/*'], exclude: [], maxTotalBytes: 1 << 20 } }), /disposed/, 'a disposed client starts nothing');
    assert.equal(threads(), baseline);
  });

  it('disposing the completion client ends its worker', async () => {
    const modelDir = path.join(dir, 'model');
    const client = new CompletionClient(path.join(dist, 'completionWorker.js'));
    const loaded = await client.request('load', { modelDir });
    assert.equal(loaded.type, 'loaded');
    const r = await client.request('complete', { doc: 'd', context: 'export function ', wholePrefix: true, alternatives: 1, temperature: 0, maxChars: 10, stopAtNewline: true, seed: 1, mix: true, confidence: 0, languageId: 'typescript' });
    assert.equal(r.type, 'completion');
    assert.ok(threads() > baseline);
    const t0 = performance.now();
    client.dispose();
    const ms = await until('the completion worker to end', () => threads() <= baseline, EXIT_BOUND_MS);
    console.log(`      completion worker gone ${(performance.now() - t0).toFixed(0)} ms after dispose`);
    assert.ok(ms < EXIT_BOUND_MS);
    await assert.rejects(client.request('complete', { doc: 'd', context: 'x', wholePrefix: true, alternatives: 1, temperature: 0, maxChars: 5, stopAtNewline: true, seed: 1, mix: true, confidence: 0, languageId: 'typescript' }));
  });
});
