import assert from 'node:assert/strict';
import { pick } from '../../src/engine/sampling';
import { Rng } from '../../src/engine/rng';
import { UNKNOWN_ID, Vocabulary, VocabularyError } from '../../src/engine/vocab';
import { ConfigError, resolveTrainConfig, validateModelConfig } from '../../src/shared/modelConfig';

describe('Vocabulary', () => {
  it('round-trips text, maps unseen characters to the unknown id, and handles astral characters', () => {
    const v = Vocabulary.fromText('hello world 🙂');
    assert.equal(v.decode(v.encode('hello 🙂')), 'hello 🙂');
    assert.equal(v.encode('z')[0], UNKNOWN_ID);
    assert.equal(v.size, new Set([...'hello world 🙂']).size + 1);
  });

  it('serialises stably and rejects malformed vocabularies', () => {
    const v = Vocabulary.fromText('banana');
    assert.deepEqual(Vocabulary.fromJSON(JSON.parse(JSON.stringify(v))).toJSON(), v.toJSON());
    assert.deepEqual(v.toJSON().chars, ['a', 'b', 'n']);
    assert.throws(() => Vocabulary.fromJSON({ version: 2, chars: [] }), VocabularyError);
    assert.throws(() => Vocabulary.fromJSON({ version: 1, chars: ['ab'] }), /single character/);
    assert.throws(() => Vocabulary.fromJSON({ version: 1, chars: ['a', 'a'] }), /duplicated/);
    assert.throws(() => Vocabulary.fromJSON(null), VocabularyError);
  });

  it('keeps the most frequent characters when capped', () => {
    const v = Vocabulary.fromText('aaaabbbc', { maxSize: 2 });
    assert.deepEqual(v.toJSON().chars, ['a', 'b']);
  });
});

describe('sampling', () => {
  const probs = Float32Array.from([0.5, 0.1, 0.3, 0.05, 0.05]);

  it('is greedy and deterministic at temperature 0, never choosing the unknown id', () => {
    for (let i = 0; i < 5; i++) assert.equal(pick(probs, { temperature: 0 }), 2);
  });

  it('is reproducible with a seed and follows the distribution', () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 2000 }, () => pick(probs, { temperature: 1, rng }));
    };
    assert.deepEqual(draw(7), draw(7));
    const counts = [0, 0, 0, 0, 0];
    for (const id of draw(8)) counts[id]!++;
    assert.equal(counts[UNKNOWN_ID], 0);
    assert.ok(Math.abs(counts[2]! / 2000 - 0.6) < 0.05, `p(2) ≈ 0.3/0.5 = 0.6, got ${counts[2]! / 2000}`);
  });

  it('top-k keeps only the k most likely characters; high temperature flattens', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) assert.ok([1, 2].includes(pick(probs, { temperature: 1, topK: 2, rng })));
    const hot = new Rng(4);
    const ids = new Set(Array.from({ length: 500 }, () => pick(probs, { temperature: 5, rng: hot })));
    assert.equal(ids.size, 4);
  });
});

describe('configuration', () => {
  it('rejects out-of-range and wrongly typed settings with a message naming them', () => {
    assert.throws(() => resolveTrainConfig({ seqLength: 0 }), /seqLength must be from 4 to 1024/);
    assert.throws(() => resolveTrainConfig({ learningRate: Number.NaN }), ConfigError);
    assert.throws(() => resolveTrainConfig({ batchSize: 2.5 }), /whole number/);
    assert.throws(() => validateModelConfig({ cell: 'transformer', layers: 1, units: 8, embeddingSize: 4, dropout: 0, vocabSize: 10 }), /cell must be one of/);
    assert.throws(() => validateModelConfig({ cell: 'lstm', layers: 1, units: 1e9, embeddingSize: 4, dropout: 0, vocabSize: 10 }), /units must be from/);
    assert.equal(resolveTrainConfig({}).seqLength, 64);
  });
});
