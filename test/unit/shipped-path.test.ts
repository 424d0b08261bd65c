/**
 * The training path as shipped (issue 12): dropout on, on the WebAssembly kernels over several threads. The JS
 * kernels are checked against TF.js elsewhere (without dropout, which TF.js cannot mask the same way); here the
 * gradients with dropout are checked against finite differences of the loss under the same mask, the wasm
 * gradients against the JS ones under the same mask, and whole training steps (clipping and Adam included) on wasm
 * against JS, within float32 tolerance.
 */
import assert from 'node:assert/strict';
import { resolveTrainConfig, type CellType, type ModelConfig } from '../../src/shared/modelConfig';
import { JsKernels, WasmKernels, wasmSupportProblem, type Kernels } from '../../src/engine/kernels';
import { Network } from '../../src/engine/network';
import { initParams, paramLayout } from '../../src/engine/params';
import { Rng } from '../../src/engine/rng';
import { train } from '../../src/engine/trainer';
import { maxRelDiff } from '../helpers/tfRef';

const B = 4;
const T = 6;

function ids(n: number, V: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n }, () => rng.int(V));
}

/** The mean loss and gradients of one step under the dropout mask drawn from `Rng(maskSeed)`, from a fresh state. */
function step(k: Kernels, config: ModelConfig, weights: Float32Array, x: Int32Array, y: Int32Array, maskSeed: number): { loss: number; grads: Float32Array } {
  const net = new Network(k, config, B, T);
  net.params.flat.set(weights);
  const loss = net.trainStep(x, y, new Rng(maskSeed));
  return { loss, grads: net.grads.flat.slice() };
}

describe('the shipped training path: dropout on, wasm kernels (issue 12)', function () {
  this.timeout(120_000);
  let wasm: WasmKernels;
  before(async function () {
    if (wasmSupportProblem()) this.skip(); // the host cannot run the wasm kernels (the message says why)
    wasm = await WasmKernels.create({ threads: 2, parallelThreshold: 0 }); // split every product, as big ones are
  });
  after(() => wasm?.dispose());

  for (const cell of ['lstm', 'gru'] as CellType[]) {
    it(`${cell}: gradients with dropout match finite differences under the same mask, and wasm matches JS`, () => {
      const config: ModelConfig = { cell, layers: 2, units: 12, embeddingSize: 6, dropout: 0.3, vocabSize: 11 };
      const js = new JsKernels();
      const net = new Network(js, config, B, T);
      initParams(config, net.params, 5);
      const w = net.params.flat.slice();
      const x = ids(B * T, config.vocabSize, 1);
      const y = ids(B * T, config.vocabSize, 2);
      const ref = step(js, config, w, x, y, 9);
      const other = step(js, config, w, x, y, 10);
      assert.ok(maxRelDiff(other.grads, ref.grads) > 1e-2, 'a different mask gives different gradients: dropout is on');

      // Finite differences of the loss under the same mask, at the weights with the largest gradients of each tensor.
      let checked = 0;
      let offset = 0;
      for (const spec of paramLayout(config)) {
        const size = spec.shape.reduce((a, b) => a * b, 1);
        let best = offset;
        for (let i = offset; i < offset + size; i++) if (Math.abs(ref.grads[i]!) > Math.abs(ref.grads[best]!)) best = i;
        const eps = 1e-2;
        const plus = w.slice(); plus[best]! += eps;
        const minus = w.slice(); minus[best]! -= eps;
        const fd = (step(js, config, plus, x, y, 9).loss - step(js, config, minus, x, y, 9).loss) / (2 * eps);
        const g = ref.grads[best]!;
        assert.ok(Math.abs(fd - g) < 2e-3 + 3e-2 * Math.abs(g), `${spec.name}[${best - offset}]: analytic ${g}, finite differences ${fd}`);
        checked++;
        offset += size;
      }
      assert.equal(checked, paramLayout(config).length);

      const onWasm = step(wasm, config, w, x, y, 9);
      assert.ok(Math.abs(onWasm.loss - ref.loss) < 1e-5 * Math.max(1, ref.loss), `loss ${onWasm.loss} vs ${ref.loss}`);
      const d = maxRelDiff(onWasm.grads, ref.grads);
      assert.ok(d < 1e-4, `wasm vs JS gradients with dropout: relative difference ${d}`);
    });
  }

  it('whole training steps (dropout, clipping, Adam, schedule) on wasm equal those on JS within float32 tolerance', async () => {
    const text = 'export function add(a: number, b: number): number { return a + b; }\n'.repeat(40);
    const vocab = [...new Set(text)];
    const tokens = Int32Array.from([...text].map((c) => vocab.indexOf(c) + 1));
    const model: ModelConfig = { cell: 'lstm', layers: 2, units: 32, embeddingSize: 8, dropout: 0.1, vocabSize: vocab.length + 1 };
    const cfg = resolveTrainConfig({ minutes: 0, maxSteps: 3, batchSize: 8, seqLength: 16, validateEverySeconds: 3600, seed: 4 });
    const run = (k: Kernels) => train({ kernels: k, model, train: cfg, trainTokens: tokens, validationTokens: tokens.subarray(0, 600) });
    const a = await run(new JsKernels());
    const b = await run(wasm);
    const d = maxRelDiff(b.finalWeights, a.finalWeights);
    const moved = maxRelDiff(a.finalWeights, (() => { const n = new Network(new JsKernels(), model, 1, 1); initParams(model, n.params, cfg.seed); return n.params.flat; })());
    console.log(`      after 3 steps: wasm vs JS weights differ by ${d.toExponential(2)} (relative to the largest weight); the steps moved them by ${moved.toExponential(2)}`);
    assert.ok(moved > 1e-4 && d < moved / 100, 'the steps changed the weights, far more than wasm and JS differ');
    assert.ok(d < 1e-5, `wasm vs JS after 3 steps: ${d}`);
    assert.ok(Math.abs(a.progress.trainBits - b.progress.trainBits) < 1e-4);
    assert.ok(Math.abs(a.progress.valBits - b.progress.valBits) < 1e-4, `validation ${a.progress.valBits} vs ${b.progress.valBits}`);
  });
});
