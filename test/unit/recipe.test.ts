import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, DEFAULT_TRAIN, resolveTrainConfig, type ModelConfig } from '../../src/shared/modelConfig';
import { JsKernels } from '../../src/engine/kernels/js';
import { WasmKernels } from '../../src/engine/kernels/wasm/wasmKernels';
import { locateWasm } from '../../src/engine/kernels/wasm/locate';
import { Network } from '../../src/engine/network';
import { learningRateAt } from '../../src/engine/optimizer';
import { initParams, paramLayout, ParamViews, totalSize } from '../../src/engine/params';
import { Predictor } from '../../src/engine/predictor';
import { Rng } from '../../src/engine/rng';
import { Vocabulary } from '../../src/engine/vocab';
import { DocumentStates } from '../../src/engine/stateCache';
import { MixedPredictor } from '../../src/mix';
import { NGramModel } from '../../src/ngram';

describe('learning-rate schedules', () => {
  const base = { learningRate: 0.01, warmupSteps: 10, decaySteps: 100, lrFloor: 0.2 };

  it('warms up linearly, then inverse-square-root decays to the floor and stays there', () => {
    const s = { ...base, schedule: 'invsqrt' as const };
    assert.ok(Math.abs(learningRateAt(s, 0, 0) - 0.001) < 1e-12);
    assert.ok(Math.abs(learningRateAt(s, 9, 0) - 0.01) < 1e-12);
    // 100 steps after the warm-up: peak / √2.
    assert.ok(Math.abs(learningRateAt(s, 109, 0) - 0.01 / Math.SQRT2) < 1e-12);
    // 1 / √(1 + n/100) = 0.2 at n = 2400; far beyond, the floor.
    assert.ok(Math.abs(learningRateAt(s, 1e7, 1) - 0.002) < 1e-12);
    for (let step = 10; step < 3000; step += 7) assert.ok(learningRateAt(s, step + 1, 0) <= learningRateAt(s, step, 0));
  });

  it('constant ignores the budget; cosine ends at 10% of the peak', () => {
    assert.equal(learningRateAt({ ...base, schedule: 'constant' }, 500, 0.9), 0.01);
    assert.equal(learningRateAt({ ...base, schedule: 'constant', warmupSteps: 0 }, 0, 0), 0.01);
    assert.ok(Math.abs(learningRateAt({ ...base, schedule: 'cosine' }, 500, 1) - 0.001) < 1e-12);
  });

  it('the configuration checks the schedule and the Adam settings', () => {
    assert.throws(() => resolveTrainConfig({ schedule: 'linear' as never }), /schedule must be one of invsqrt, constant, cosine/);
    assert.throws(() => resolveTrainConfig({ beta1: 1 }), ConfigError);
    assert.throws(() => resolveTrainConfig({ warmupSteps: 2.5 }), /whole number/);
    assert.equal(resolveTrainConfig({}).schedule, DEFAULT_TRAIN.schedule);
  });
});

describe('dropout only between recurrent layers', () => {
  it('a one-layer model trains the same with and without dropout (nothing is dropped before the softmax)', () => {
    const config: ModelConfig = { cell: 'lstm', layers: 1, units: 8, embeddingSize: 4, dropout: 0.5, vocabSize: 7 };
    const rng = new Rng(3);
    const ids = Int32Array.from({ length: 12 }, () => rng.int(7));
    const targets = Int32Array.from({ length: 12 }, () => rng.int(7));
    const a = new Network(new JsKernels(), config, 3, 4);
    const b = new Network(new JsKernels(), { ...config, dropout: 0 }, 3, 4);
    initParams(config, a.params, 5);
    b.params.flat.set(a.params.flat);
    assert.equal(a.trainStep(ids, targets, new Rng(9)), b.trainStep(ids, targets, null));
    assert.deepEqual(a.grads.flat, b.grads.flat);
  });

  it('two layers: dropout changes the loss (it is applied between them)', () => {
    const config: ModelConfig = { cell: 'lstm', layers: 2, units: 8, embeddingSize: 4, dropout: 0.5, vocabSize: 7 };
    const rng = new Rng(4);
    const ids = Int32Array.from({ length: 12 }, () => rng.int(7));
    const a = new Network(new JsKernels(), config, 3, 4);
    initParams(config, a.params, 5);
    const w = a.params.flat.slice();
    const withDrop = a.trainStep(ids, ids, new Rng(9));
    a.params.flat.set(w);
    a.resetState();
    assert.notEqual(withDrop, a.trainStep(ids, ids, null));
  });
});

describe('dynamic evaluation (the output layer learns from real text)', () => {
  const text = 'the cat sat on the mat. the cat sat on the hat. ';
  const vocab = Vocabulary.fromText(text);
  const config: ModelConfig = { cell: 'lstm', layers: 2, units: 16, embeddingSize: 8, dropout: 0, vocabSize: vocab.size };
  const weights = new Float32Array(totalSize(paramLayout(config)));
  initParams(config, new ParamViews(paramLayout(config), weights), 2);

  function bits(p: Predictor, s: string, learn: boolean): number {
    const ids = vocab.encode(s);
    const state = p.newState();
    let probs = p.step(state, ids[0]!);
    let total = 0;
    for (let i = 1; i < ids.length; i++) {
      total -= Math.log2(probs[ids[i]!]!);
      if (learn) p.learn(state, ids[i]!);
      probs = p.step(state, ids[i]!);
    }
    return total / (ids.length - 1);
  }

  it('lowers the loss on repeated text, and a rate of 0 changes nothing', () => {
    const adapting = new Predictor(new JsKernels(), config, weights, { adaptRate: 0.05 });
    const fixed = new Predictor(new JsKernels(), config, weights, { adaptRate: 0 });
    const before = bits(fixed, text.repeat(3), false);
    assert.equal(bits(fixed, text.repeat(3), true), before);
    const first = bits(adapting, text.repeat(3), true);
    const second = bits(adapting, text.repeat(3), true);
    assert.ok(first < before, `adapting ${first} vs static ${before}`);
    assert.ok(second < first, `second pass ${second} vs first ${first}`);
    assert.ok(adapting.learned > 0);
  });

  it('the first character of a fresh state teaches nothing, nor does stepping (generation)', () => {
    const p = new Predictor(new JsKernels(), config, weights);
    const state = p.newState();
    p.learn(state, 1);
    for (const id of vocab.encode('the cat')) p.step(state, id);
    assert.equal(p.learned, 0);
    const after = p.step(p.newState(), 1).slice();
    assert.deepEqual(after, new Predictor(new JsKernels(), config, weights).step(p.newState(), 1));
  });

  it('learns the same on the WebAssembly kernels (int8 recurrent products, float32 output layer)', async function () {
    if (!locateWasm(path.join(__dirname, '../../src/engine/kernels/wasm')).path) this.skip();
    const W = await WasmKernels.create({ threads: 1 });
    try {
      const wasm = new Predictor(W, config, weights, { adaptRate: 0.05 });
      const js = new Predictor(new JsKernels(), config, weights, { adaptRate: 0.05, quantize: false });
      const a = bits(wasm, text.repeat(2), true);
      const b = bits(js, text.repeat(2), true);
      assert.ok(Math.abs(a - b) < 0.02, `wasm ${a} vs js ${b}`);
      assert.equal(wasm.learned, js.learned);
    } finally {
      W.dispose();
    }
  });

  it('adapts inside the mixture only from text fed with learn, never from its guesses', () => {
    const lstm = new Predictor(new JsKernels(), config, weights, { adaptRate: 0.05 });
    const ngram = new NGramModel();
    ngram.add(text);
    const mixed = new MixedPredictor(lstm, vocab, ngram);
    const state = mixed.newState();
    mixed.feed(state, vocab.encode('the cat sat'), false);
    for (const id of vocab.encode(' on the')) mixed.step(state, id);
    assert.equal(lstm.learned, 0);
    mixed.feed(state, vocab.encode(' mat. the'), true);
    assert.equal(lstm.learned, ' mat. the'.length);
  });

  it('the per-document state cache learns from typed text only when allowed (not in secret files)', () => {
    const p = new Predictor(new JsKernels(), config, weights);
    const states = new DocumentStates(p, vocab);
    states.prepare('a', 'the cat');
    states.prepare('a', 'the cat sat', false, false);
    assert.equal(p.learned, 0);
    states.prepare('a', 'the cat sat on');
    assert.equal(p.learned, 3);
  });
});
