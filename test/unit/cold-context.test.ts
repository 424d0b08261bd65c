import assert from 'node:assert/strict';
import { JsKernels } from '../../src/engine/kernels/js';
import { initParams, paramLayout, ParamViews, totalSize } from '../../src/engine/params';
import { Predictor } from '../../src/engine/predictor';
import { Vocabulary } from '../../src/engine/vocab';
import { coldContextStudy } from '../../src/eval/coldContext';

describe('cold-start context study', () => {
  const files = [
    'function add(a, b) {\n  return a + b;\n}\nfunction sub(a, b) {\n  return a - b;\n}\n'.repeat(3),
    'const total = add(1, 2);\nconst diff = sub(3, 4);\n'.repeat(4),
  ];
  const vocab = Vocabulary.fromText(files);
  const config = { cell: 'lstm' as const, layers: 1, units: 16, embeddingSize: 8, dropout: 0, vocabSize: vocab.size };
  const weights = new Float32Array(totalSize(paramLayout(config)));
  initParams(config, new ParamViews(paramLayout(config), weights), 9);
  const predictor = new Predictor(new JsKernels(), config, weights);

  it('gives one row per context length plus the whole file, and a context longer than any prefix equals the whole file', () => {
    const rows = coldContextStudy(predictor, vocab, files, { contexts: [8, 32, 100_000], samples: 12, scoreChars: 16, maxChars: 10 });
    assert.deepEqual(rows.map((r) => r.contextChars), [8, 32, 100_000, 0]);
    for (const r of rows) {
      assert.ok(Number.isFinite(r.bitsPerChar) && r.bitsPerChar > 0, JSON.stringify(r));
      assert.ok(r.suggestionRight >= 0 && r.suggestionRight <= 1);
    }
    assert.equal(rows[3]!.primeMsP50, null, 'the whole-file state is carried along, not rebuilt');
    assert.ok(typeof rows[0]!.primeMsP50 === 'number');
    // Reading the whole prefix from scratch gives exactly the carried state.
    assert.ok(Math.abs(rows[2]!.bitsPerChar - rows[3]!.bitsPerChar) < 1e-9, `${rows[2]!.bitsPerChar} vs ${rows[3]!.bitsPerChar}`);
    assert.equal(rows[2]!.meanRightChars, rows[3]!.meanRightChars);
  });
});
