/**
 * A kernel thread that dies in the middle of a job (it claimed a chunk of a split gemm and exits before finishing
 * it) makes the work fail with a message within 5 s instead of waiting forever; so does a training run on those
 * kernels, and every later use says why.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { resolveTrainConfig } from '../../src/shared/modelConfig';
import { wasmSupportProblem } from '../../src/engine/kernels';
import { WasmKernels } from '../../src/engine/kernels/wasm/wasmKernels';
import { train } from '../../src/engine/trainer';
import { Vocabulary } from '../../src/engine/vocab';
import { repoRoot } from '../helpers/paths';

const wasmPath = path.join(repoRoot, 'dist', 'inkling-kernels.wasm');
const threadScript = path.join(repoRoot, 'dist', 'kernelThread.js');

describe('a kernel thread that dies mid-job (issue 12)', function () {
  this.timeout(120_000);
  before(function () {
    if (wasmSupportProblem()) this.skip(); // this host cannot run the wasm kernels at all (said by the message)
    for (const f of [wasmPath, threadScript]) if (!existsSync(f)) throw new Error(`${f} is missing: run npm run build first`);
  });

  it('fails the gemm within 5 s with a message, and every later call says why', async () => {
    // spinMicros large: the worker keeps polling, so it claims chunks of every job (and so dies in one).
    const k = await WasmKernels.create({ threads: 2, wasmPath, threadScript, exitThreadInChunk: 2, spinMicros: 200_000, parallelThreshold: 1 });
    try {
      const n = 256;
      const a = k.alloc(n * n).fill(0.5);
      const b = k.alloc(n * n).fill(0.25);
      const c = k.alloc(n * n);
      let error: Error | null = null;
      let ms = 0;
      for (let i = 0; i < 200 && !error; i++) {
        const t0 = performance.now();
        try {
          k.gemm(false, false, n, n, n, a, n, b, n, c, n, false);
        } catch (e) {
          error = e as Error;
        }
        ms = performance.now() - t0;
      }
      assert.ok(error, 'the thread died in a job: some gemm must fail');
      console.log(`      failed after ${ms.toFixed(0)} ms: ${error.message}`);
      assert.ok(ms < 5000, `the gemm failed after ${ms} ms`);
      assert.match(error.message, /kernel worker thread stopped in the middle of a job .* the thread died or hangs/);
      assert.throws(() => k.gemm(false, false, n, n, n, a, n, b, n, c, n, false), /the wasm kernels cannot go on/);
    } finally {
      k.dispose();
    }
  });

  it('a training run on those kernels rejects with the message within 5 s of the death', async () => {
    const k = await WasmKernels.create({ threads: 2, wasmPath, threadScript, exitThreadInChunk: 40, spinMicros: 200_000, parallelThreshold: 1 });
    try {
      const vocab = Vocabulary.fromText('abcdefgh ');
      const t0 = performance.now();
      let lastProgress = t0;
      await assert.rejects(train({
        kernels: k, model: { cell: 'lstm', layers: 1, units: 64, embeddingSize: 8, dropout: 0, vocabSize: vocab.size },
        train: resolveTrainConfig({ minutes: 0, maxSteps: 100_000, batchSize: 16, seqLength: 32, validateEverySeconds: 3600 }),
        trainTokens: vocab.encode('abcdefgh '.repeat(3000)), validationTokens: vocab.encode('abcdefgh '.repeat(200)),
        progressIntervalMs: 0, onProgress: () => { lastProgress = performance.now(); },
      }), /kernel worker thread stopped in the middle of a job/);
      const afterLast = performance.now() - lastProgress;
      console.log(`      training rejected ${afterLast.toFixed(0)} ms after its last step (${(performance.now() - t0).toFixed(0)} ms in all)`);
      assert.ok(afterLast < 5000);
    } finally {
      k.dispose();
    }
  });
});
