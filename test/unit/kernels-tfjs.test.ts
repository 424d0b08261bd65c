import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createKernels, JsKernels, TfKernels } from '../../src/engine/kernels';
import { Rng } from '../../src/engine/rng';

describe('TF.js kernels (tfjs-node where installed; checked here on the TF.js cpu backend)', () => {
  before(async () => {
    await tf.setBackend('cpu');
    tf.env().set('PROD', true);
  });

  it('gives the reference kernels\' products for every transpose, odd shapes, strides and accumulation', () => {
    const tfk = new TfKernels(tf);
    const js = new JsKernels();
    const rng = new Rng(4);
    const fill = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
    let cases = 0;
    for (const [m, n, k] of [[1, 1, 1], [3, 7, 5], [33, 17, 64], [1, 66, 256], [8, 1024, 3]] as const) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const accumulate of [false, true]) {
            const pad = 3;
            const lda = (transA ? m : k) + pad;
            const ldb = (transB ? k : n) + pad;
            const ldc = n + pad;
            const a = fill((transA ? k : m) * lda);
            const b = fill((transB ? n : k) * ldb);
            const c0 = fill(m * ldc);
            const c1 = c0.slice();
            tfk.gemm(transA, transB, m, n, k, a, lda, b, ldb, c0, ldc, accumulate);
            js.gemm(transA, transB, m, n, k, a, lda, b, ldb, c1, ldc, accumulate);
            for (let i = 0; i < c0.length; i++) {
              assert.ok(Math.abs(c0[i]! - c1[i]!) <= 1e-4 * (1 + Math.abs(c1[i]!)), `m${m} n${n} k${k} tA${transA} tB${transB} acc${accumulate} [${i}] ${c0[i]} vs ${c1[i]}`);
            }
            cases++;
          }
        }
      }
    }
    assert.equal(cases, 40);
    assert.equal(tf.memory().numTensors, 0, 'no tensor leaks');
  });

  it('is chosen by "auto" only when @tensorflow/tfjs-node is installed, and asked for by name falls back with a reason', async () => {
    let installed = true;
    try {
      require.resolve('@tensorflow/tfjs-node');
    } catch {
      installed = false;
    }
    const auto = await createKernels({ prefer: 'auto', threads: 1 });
    const named = await createKernels({ prefer: 'tfjs-node', threads: 1 });
    try {
      if (installed) {
        assert.equal(auto.kernels.name, 'tfjs-node');
        assert.equal(named.kernels.name, 'tfjs-node');
      } else {
        assert.notEqual(auto.kernels.name, 'tfjs-node');
        assert.equal(auto.fallbackReason, undefined, 'its absence is normal under auto');
        assert.match(named.fallbackReason ?? '', /tfjs-node is not installed.*using (wasm-simd|js)/);
      }
    } finally {
      auto.kernels.dispose();
      named.kernels.dispose();
    }
  });
});
