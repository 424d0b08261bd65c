import assert from 'node:assert/strict';
import { CELL_TYPES, type ModelConfig } from '../../src/shared/modelConfig';
import { JsKernels } from '../../src/engine/kernels/js';
import { Network } from '../../src/engine/network';
import { initParams, paramLayout } from '../../src/engine/params';
import { Predictor } from '../../src/engine/predictor';
import { Rng } from '../../src/engine/rng';
import { maxRelDiff, tfLossAndGrads, tfPredict, toBatchMajor } from '../helpers/tfRef';

const B = 3;
const T = 5;

function randomIds(n: number, V: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n }, () => rng.int(V));
}

for (const cell of CELL_TYPES) {
  describe(`Network (${cell}) against TF.js`, () => {
    const config: ModelConfig = { cell, layers: 2, units: 6, embeddingSize: 5, dropout: 0, vocabSize: 9 };

    it('gives the same loss and gradients for every weight', () => {
      const net = new Network(new JsKernels(), config, B, T);
      initParams(config, net.params, 3);
      const ids = randomIds(B * T, config.vocabSize, 1);
      const targets = randomIds(B * T, config.vocabSize, 2);
      const weights = net.params.flat.slice();
      const loss = net.trainStep(ids, targets, null);
      const ref = tfLossAndGrads(config, weights, ids, targets, B, T);
      assert.ok(Math.abs(loss - ref.loss) < 1e-5 * Math.max(1, ref.loss), `loss ${loss} vs ${ref.loss}`);
      paramLayout(config).forEach((spec, i) => {
        const ours = net.grads.get(spec.name);
        const d = maxRelDiff(ours, ref.grads[i]!);
        assert.ok(d < 2e-4, `${spec.name}: relative difference ${d}`);
      });
    });

    it('gives the same loss and gradients with a vocabulary larger than the batch (layer 0 from embedded rows)', () => {
      const wide = { ...config, vocabSize: B * T + 4 };
      const net = new Network(new JsKernels(), wide, B, T);
      initParams(wide, net.params, 6);
      const ids = randomIds(B * T, wide.vocabSize, 7);
      const targets = randomIds(B * T, wide.vocabSize, 8);
      const weights = net.params.flat.slice();
      const loss = net.trainStep(ids, targets, null);
      const ref = tfLossAndGrads(wide, weights, ids, targets, B, T);
      assert.ok(Math.abs(loss - ref.loss) < 1e-5 * Math.max(1, ref.loss), `loss ${loss} vs ${ref.loss}`);
      paramLayout(wide).forEach((spec, i) => {
        const d = maxRelDiff(net.grads.get(spec.name), ref.grads[i]!);
        assert.ok(d < 2e-4, `${spec.name}: relative difference ${d}`);
      });
    });

    it('carries state across batches exactly like one long sequence', () => {
      const net = new Network(new JsKernels(), config, B, T);
      initParams(config, net.params, 4);
      const long = randomIds(B * (2 * T + 1), config.vocabSize, 5); // batch-major [B, 2T+1]
      const slice = (k: number, shift: number): Int32Array => {
        const out = new Int32Array(B * T);
        for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out[t * B + b] = long[b * (2 * T + 1) + k * T + t + shift]!;
        return out;
      };
      const nats = net.evaluate(slice(0, 0), slice(0, 1)) + net.evaluate(slice(1, 0), slice(1, 1));
      const inputs = new Int32Array(B * 2 * T);
      for (let b = 0; b < B; b++) for (let t = 0; t < 2 * T; t++) inputs[b * 2 * T + t] = long[b * (2 * T + 1) + t]!;
      const probs = tfPredict(config, net.params.flat, inputs, B, 2 * T);
      let ref = 0;
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < 2 * T; t++) {
          ref -= Math.log(probs[(b * 2 * T + t) * config.vocabSize + long[b * (2 * T + 1) + t + 1]!]!);
        }
      }
      assert.ok(Math.abs(nats - ref) < 1e-4 * ref, `${nats} vs ${ref}`);
    });

    it('predictor steps give the same distributions as TF.js', () => {
      const net = new Network(new JsKernels(), config, 1, 1);
      initParams(config, net.params, 6);
      const ids = randomIds(12, config.vocabSize, 7);
      const ref = tfPredict(config, net.params.flat, ids, 1, ids.length);
      const p = new Predictor(new JsKernels(), config, net.params.flat, { quantize: false }); // float32, as TF.js
      const state = p.newState();
      ids.forEach((id, t) => {
        const probs = p.step(state, id);
        const d = maxRelDiff(probs, ref.subarray(t * config.vocabSize, (t + 1) * config.vocabSize));
        assert.ok(d < 1e-4, `step ${t}: ${d}`);
      });
      assert.equal(toBatchMajor(ids, 1, ids.length).length, ids.length);
    });
  });
}
