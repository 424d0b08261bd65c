// Rehearsal (the LSTM's BPTT steps on what the user wrote, Predictor.rehearse): it learns the rehearsed text, its
// int8 weights are quantized again in place exactly as a fresh predictor of the new weights quantizes them, the
// weights change only at its end, and the completion worker's scheduler rehearses at a pause and only after
// enough new text.
import assert from 'node:assert/strict';
import { JsKernels } from '../../src/engine/kernels/js';
import { WasmKernels } from '../../src/engine/kernels/wasm/wasmKernels';
import type { Kernels } from '../../src/engine/kernels/types';
import { Predictor, RECENT_IDS, REHEARSE_CHARS } from '../../src/engine/predictor';
import { Rehearsals, PAUSE_NEW_CHARS } from '../../src/workers/rehearsal';
import { makeModel } from '../helpers/models';

const text = 'the quick brown fox jumps over the lazy dog; '.repeat(30);

function bitsOn(p: Predictor, ids: Int32Array): number {
  const s = p.newState();
  let bits = 0;
  let probs = p.step(s, ids[0]!);
  for (let i = 1; i < ids.length; i++) {
    bits -= Math.log2(probs[ids[i]!]!);
    probs = p.step(s, ids[i]!);
  }
  return bits / (ids.length - 1);
}

/** Feeds `ids` as text the user wrote (the output layer learns; the ring of recent characters fills). */
function write(p: Predictor, ids: Int32Array): void {
  p.feed(p.newState(), ids, true);
}

const kernelSets: [string, () => Promise<Kernels>][] = [
  ['js', async () => new JsKernels()],
  ['wasm', async () => WasmKernels.create({ threads: 1 })],
];

for (const [name, make] of kernelSets) {
  describe(`rehearsal (${name} kernels)`, function () {
    this.timeout(120_000);
    let kernels: Kernels;
    before(async () => { kernels = await make(); });
    after(() => kernels.dispose());

    it('learns the text it rehearses; the new int8 weights are what a fresh predictor of them quantizes', () => {
      const model = makeModel({ text, layers: 2, units: 32, embeddingSize: 8, dropout: 0.1 });
      const ids = model.vocab.encode(text);
      const p = new Predictor(kernels, model.config, model.weights, { adaptRate: 0 });
      assert.ok(p.quantized, 'the kernels quantize');
      const before = bitsOn(p, ids);
      // Learned characters come from feed(learn) with a learning rate; rehearse the same text directly.
      let last = { steps: 0, chars: 0, bitsPerChar: Number.NaN };
      for (let i = 0; i < 30; i++) last = p.rehearse(ids.subarray(0, REHEARSE_CHARS + 1), { learningRate: 3e-3 });
      assert.equal(last.steps, REHEARSE_CHARS / 64);
      const after = bitsOn(p, ids);
      assert.ok(after < before - 1, `rehearsal did not learn the text: ${before.toFixed(3)} → ${after.toFixed(3)} bits/char`);
      assert.ok(last.bitsPerChar < before, `the rehearsal's own loss ${last.bitsPerChar} is not below ${before}`);
      // The same weights in a fresh predictor: the same distributions, to the last bit (in-place requantization
      // and the rebuilt input table agree with a first quantization).
      const fresh = new Predictor(kernels, model.config, p.weights(), { adaptRate: 0 });
      const a = p.newState();
      const b = fresh.newState();
      for (let i = 0; i < 200; i++) {
        const pa = p.step(a, ids[i]!);
        const pb = fresh.step(b, ids[i]!);
        assert.deepEqual([...pa], [...pb], `step ${i}: the rehearsed predictor and a fresh one of its weights differ`);
      }
    });

    it('changes the weights only at its end', () => {
      const model = makeModel({ text, layers: 1, units: 16, embeddingSize: 8 });
      const ids = model.vocab.encode(text);
      const p = new Predictor(kernels, model.config, model.weights);
      const w0 = p.weights();
      const steps = p.rehearseSteps(ids.subarray(0, 4 * 64 + 1));
      let yields = 0;
      for (let r = steps.next(); !r.done; r = steps.next()) {
        yields++;
        assert.deepEqual(p.weights(), w0, 'weights changed before the rehearsal ended');
      }
      assert.equal(yields, 4);
      assert.notDeepEqual(p.weights(), w0);
      // Too little text for one window: nothing happens.
      assert.equal(p.rehearse(ids.subarray(0, 64)).steps, 0);
    });
  });
}

describe('rehearsal: what is rehearsed and when', function () {
  this.timeout(60_000);

  it('the recent characters are the last ones learned from, oldest first, across the ring', () => {
    const model = makeModel({ text, layers: 1, units: 8, embeddingSize: 4 });
    const p = new Predictor(new JsKernels(), model.config, model.weights);
    const ids = model.vocab.encode(text.repeat(4)); // more than the ring holds
    assert.ok(ids.length > RECENT_IDS + 1);
    write(p, ids);
    // The first character of a stream is not predicted, so not learned from.
    assert.equal(p.learned, ids.length - 1);
    assert.deepEqual([...p.recent(100)], [...ids.subarray(ids.length - 100)]);
    assert.deepEqual([...p.recent()], [...ids.subarray(ids.length - RECENT_IDS)]);
  });

  it('rehearses once the user pauses after enough new text, and not again without new text', async () => {
    const model = makeModel({ text, layers: 1, units: 16, embeddingSize: 8 });
    const p = new Predictor(new JsKernels(), model.config, model.weights);
    const ids = model.vocab.encode(text);
    const done: number[] = [];
    let notify: () => void = () => undefined;
    const rehearsed = new Promise<void>((resolve) => { notify = resolve; });
    const r = new Rehearsals(() => p, 10, (info) => { done.push(info.steps); notify(); });
    write(p, ids.subarray(0, 100));
    assert.equal(await r.run(PAUSE_NEW_CHARS), null, 'rehearsed after only 99 new characters');
    write(p, ids.subarray(100, 700));
    const w0 = p.weights();
    r.typed();
    r.typed(); // typing goes on: the pause starts again
    await rehearsed;
    assert.deepEqual(done, [REHEARSE_CHARS / 64]);
    assert.notDeepEqual(p.weights(), w0);
    // Nothing new since: a save asks, nothing happens.
    assert.equal(await r.run(), null);
    r.dispose();
  });

  it('a rehearsal whose model was replaced meanwhile is dropped', async () => {
    const model = makeModel({ text, layers: 1, units: 16, embeddingSize: 8 });
    const ids = model.vocab.encode(text);
    const p = new Predictor(new JsKernels(), model.config, model.weights);
    write(p, ids);
    let current: Predictor | null = p;
    const r = new Rehearsals(() => current);
    const w0 = p.weights();
    const pending = r.run();
    current = null; // unloaded before the first window's turn ends
    assert.equal(await pending, null);
    assert.deepEqual(p.weights(), w0);
  });
});
