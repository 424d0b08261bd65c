/**
 * The divergence of issue 12, reproduced on demand. A held-out file's own symbols are outside a vocabulary built
 * from the training files; they are scored as the unknown id. When the unknown id is never a training target (the
 * vocabulary held every training character), training drives it towards probability zero and each such character
 * costs many bits (here about 11 after 300 steps, growing as training goes on, up to the ~100-bit floor): the
 * validation figure ends far above the training loss. The fix: symbols only one training file uses train the unknown id, and unknown characters
 * are counted apart from bits per character.
 */
import assert from 'node:assert/strict';
import type { ModelConfig } from '../../src/shared/modelConfig';
import { resolveTrainConfig } from '../../src/shared/modelConfig';
import { JsKernels } from '../../src/engine/kernels/js';
import { trainOnText, vocabularyFor, DOCUMENT_SEPARATOR } from '../../src/engine/pipeline';
import { StreamScorer } from '../../src/engine/scorer';
import { train } from '../../src/engine/trainer';
import { UNKNOWN_ID, Vocabulary } from '../../src/engine/vocab';
import { rareSymbolFile } from '../../src/bench/rareSymbols';

const SMALL: Omit<ModelConfig, 'vocabSize'> = { cell: 'lstm', layers: 1, units: 48, embeddingSize: 16, dropout: 0 };
const TRAIN = { minutes: 0, maxSteps: 300, batchSize: 8, seqLength: 32, learningRate: 0.01, validateEverySeconds: 3600, validationChars: 50_000 };

describe('divergence: held-out characters outside the vocabulary (issue 12)', function () {
  this.timeout(300_000);
  // Dense own symbols (every line), so the effect is large and the test is sharp.
  const trainTexts = Array.from({ length: 12 }, (_, i) => rareSymbolFile(i, 60, 1));
  const heldOut = [rareSymbolFile(20, 60, 1), rareSymbolFile(21, 60, 1)];

  it('before the fix: a vocabulary of every training character scores held-out symbols at over 8 bits each, the figure over 1 bit above the training loss', async () => {
    const vocab = Vocabulary.fromText(trainTexts.join(DOCUMENT_SEPARATOR));
    const model: ModelConfig = { ...SMALL, vocabSize: vocab.size };
    const kernels = new JsKernels();
    const held = vocab.encode(heldOut.join(DOCUMENT_SEPARATOR));
    const r = await train({
      kernels, model, train: resolveTrainConfig(TRAIN),
      trainTokens: vocab.encode(trainTexts.join(DOCUMENT_SEPARATOR)), validationTokens: held,
    });
    const trainCount = [...trainTexts.join('')].filter((ch) => vocab.idOf(ch) === UNKNOWN_ID).length;
    assert.equal(trainCount, 0, 'every training character has an id: the unknown id is never a target');
    const score = StreamScorer.create(kernels, model, held, 8, 32)!.score(r.bestWeights);
    const all = StreamScorer.create(kernels, model, held, 8, 32)!.bitsPerChar(r.bestWeights);
    const uniform = Math.log2(vocab.size);
    console.log(`      old vocabulary: held-out ${all.toFixed(3)} bits/char with unknowns (uniform ${uniform.toFixed(3)}), ` +
      `${score.bitsPerChar.toFixed(3)} without; ${score.unknownChars} unknown at ${score.unknownBitsEach.toFixed(1)} bits each; train ${r.progress.trainBits.toFixed(3)}`);
    assert.ok(score.unknownChars > 100);
    assert.ok(score.unknownBitsEach > 8, `each unknown character costs ${score.unknownBitsEach} bits`);
    assert.ok(all > r.progress.trainBits + 1, `held-out ${all} vs training ${r.progress.trainBits}`);
  });

  it('after the fix: the unknown id is trained on one-file symbols; the figure is below uniform, near the training loss, and unknowns are counted apart', async () => {
    const vocab = vocabularyFor(trainTexts);
    for (let i = 0; i < 12; i++) assert.ok(!vocab.has(String.fromCodePoint(0x2200 + i)), 'a symbol of one file only is the unknown id');
    const notices: string[] = [];
    const m = await trainOnText({
      kernels: new JsKernels(), texts: { train: trainTexts, validation: heldOut }, model: SMALL, train: TRAIN,
      onNotice: (n) => notices.push(n.message),
    });
    const t = m.meta.training!;
    const uniform = Math.log2(m.vocab.size);
    const kernels = new JsKernels();
    const held = m.vocab.encode(heldOut.join(DOCUMENT_SEPARATOR));
    const score = StreamScorer.create(kernels, m.config, held, 8, 32)!.score(m.weights);
    console.log(`      new vocabulary: held-out ${t.validationBitsPerChar!.toFixed(3)} bits/char (uniform ${uniform.toFixed(3)}), ` +
      `${t.validationUnknownChars} unknown apart at ${score.unknownBitsEach.toFixed(1)} bits each; train ${t.trainBitsPerChar.toFixed(3)}; notices ${notices.length}`);
    assert.ok(t.validationBitsPerChar! < uniform);
    assert.ok(Math.abs(t.validationBitsPerChar! - t.trainBitsPerChar) < 1, `held-out ${t.validationBitsPerChar} vs training ${t.trainBitsPerChar}`);
    assert.ok(t.validationUnknownChars! > 100, 'the held-out symbols are counted');
    assert.ok(score.unknownBitsEach < 8, `an unknown character costs ${score.unknownBitsEach} bits: the unknown id was trained`);
  });
});
