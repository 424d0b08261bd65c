import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { resolveTrainConfig, type ModelConfig } from '../../src/shared/modelConfig';
import { generate, prime } from '../../src/engine/generate';
import { JsKernels } from '../../src/engine/kernels/js';
import { trainOnText } from '../../src/engine/pipeline';
import { Predictor } from '../../src/engine/predictor';
import { Rng } from '../../src/engine/rng';
import { createValidator, train } from '../../src/engine/trainer';
import { Vocabulary } from '../../src/engine/vocab';
import { saveModel } from '../../src/engine/format';
import { sharedCorpus } from '../helpers/paths';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';

function unigramEntropyBits(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / text.length) * Math.log2(n / text.length);
  return h;
}

const SMALL: Omit<ModelConfig, 'vocabSize'> = { cell: 'lstm', layers: 1, units: 64, embeddingSize: 16, dropout: 0 };

describe('training', function () {
  this.timeout(300_000);
  const corpusFile = sharedCorpus('tinyshakespeare.txt');

  it('lowers validation bits per character well below the unigram entropy on tinyshakespeare', async function () {
    if (!existsSync(corpusFile)) this.skip();
    const text = readFileSync(corpusFile, 'utf8');
    const cut = Math.floor(text.length * 0.9);
    const trainText = text.slice(0, 300_000);
    const validation = text.slice(cut, cut + 20_000);
    const unigram = unigramEntropyBits(text.slice(cut));
    const seen: number[] = [];
    const model = await trainOnText({
      kernels: new JsKernels(),
      texts: { train: [trainText], validation: [validation] },
      model: SMALL,
      train: { minutes: 0, maxSteps: 400, batchSize: 16, seqLength: 48, learningRate: 0.01, validateEverySeconds: 3600, validationChars: 20_000 },
      onProgress: (p) => { if (Number.isFinite(p.valBits)) seen.push(p.valBits); },
    });
    const finalBits = model.meta.training!.validationBitsPerChar!;
    console.log(`      unigram entropy ${unigram.toFixed(3)} bits/char; after 400 steps: validation ${finalBits.toFixed(3)} bits/char`);
    assert.ok(finalBits < unigram - 1.0, `validation ${finalBits} vs unigram ${unigram}`);
    assert.ok(seen.length >= 1);
  });

  it('stops promptly on abort and keeps the best weights', async () => {
    const vocab = Vocabulary.fromText('abcdefgh ');
    const tokens = vocab.encode('abcdefgh '.repeat(2000));
    const controller = new AbortController();
    let steps = 0;
    const result = await train({
      kernels: new JsKernels(), model: { ...SMALL, units: 16, vocabSize: vocab.size },
      train: resolveTrainConfig({ minutes: 0, maxSteps: 100_000, batchSize: 4, seqLength: 16 }),
      trainTokens: tokens, validationTokens: tokens.subarray(0, 2000), progressIntervalMs: 0,
      onProgress: (p) => { steps = p.step; if (p.step >= 5) controller.abort(); },
      signal: controller.signal,
    });
    assert.equal(result.stopReason, 'aborted');
    assert.ok(steps <= 7, `stopped after ${steps} steps`);
    assert.ok(Number.isFinite(result.progress.bestValBits));
  });

  it('resumes from a checkpoint: the optimiser continues and the loss keeps falling', async () => {
    const text = 'the quick brown fox jumps over the lazy dog. '.repeat(400);
    const common = { kernels: new JsKernels(), texts: { train: [text], validation: [text.slice(0, 3000)] }, model: { ...SMALL, units: 32 } };
    const first = await trainOnText({ ...common, train: { minutes: 0, maxSteps: 30, batchSize: 8, seqLength: 32, learningRate: 0.01 } });
    const second = await trainOnText({ ...common, resume: first, train: { minutes: 0, maxSteps: 30, batchSize: 8, seqLength: 32, learningRate: 0.01 } });
    assert.equal(second.optimizer!.step, 60);
    assert.ok(second.meta.training!.validationBitsPerChar! < first.meta.training!.validationBitsPerChar!);
  });

  it('does not leak TF.js tensors across training steps, generation or export', async () => {
    const before = tf.memory().numTensors;
    const text = 'hello world, hello inkling. '.repeat(200);
    const model = await trainOnText({
      kernels: new JsKernels(), texts: { train: [text], validation: [text.slice(0, 500)] },
      model: { ...SMALL, units: 16 }, train: { minutes: 0, maxSteps: 3, batchSize: 4, seqLength: 16 },
    });
    const predictor = new Predictor(new JsKernels(), model.config, model.weights);
    const { state, probs } = prime(predictor, model.vocab, 'hello ');
    generate(predictor, model.vocab, state, probs, { temperature: 0.7, maxChars: 20, rng: new Rng(1) });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-leak-'));
    await saveModel(tf, path.join(dir, 'm'), model);
    await saveModel(tf, path.join(dir, 'm'), model);
    assert.equal(tf.memory().numTensors, before);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('greedy generation is deterministic; the validator agrees with itself', async () => {
    const text = 'abc abd abe '.repeat(300);
    const model = await trainOnText({
      kernels: new JsKernels(), texts: { train: [text], validation: [text.slice(0, 600)] },
      model: { ...SMALL, units: 16 }, train: { minutes: 0, maxSteps: 40, batchSize: 4, seqLength: 16, learningRate: 0.02 },
    });
    const run = () => {
      const predictor = new Predictor(new JsKernels(), model.config, model.weights);
      const { state, probs } = prime(predictor, model.vocab, 'abc ab');
      return generate(predictor, model.vocab, state, probs, { temperature: 0, maxChars: 12 });
    };
    assert.equal(run(), run());
    const validate = createValidator(new JsKernels(), model.config, resolveTrainConfig({ batchSize: 4, seqLength: 16 }), model.vocab.encode(text.slice(0, 600)))!;
    assert.equal(validate(model.weights), validate(model.weights));
  });
});
