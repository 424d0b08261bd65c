import assert from 'node:assert/strict';
import { mixFixture } from '../helpers/mixFixture';
import { DocumentStates } from '../../src/engine/stateCache';
import { generate, prime } from '../../src/engine/generate';
import { JsKernels } from '../../src/engine/kernels/js';
import { initParams, paramLayout, ParamViews, totalSize } from '../../src/engine/params';
import { Predictor } from '../../src/engine/predictor';
import { UNKNOWN_ID, Vocabulary } from '../../src/engine/vocab';
import { scoreMixed } from '../../src/eval/mixture';
import { MatchModel, type MatchState, MixedPredictor, Mixer } from '../../src/mix';
import { NGramModel } from '../../src/ngram';

describe('mixing the LSTM with the n-gram model', () => {
  const { vocab, lstm, workspace, ngramOf } = mixFixture();

  it('moves the weight toward the model that predicted better, and keeps it bounded', () => {
    const m = new Mixer({ buckets: 2, rate: 0.5 });
    assert.equal(m.weight(0), 0.5);
    for (let i = 0; i < 20; i++) m.update(0, 0.9, 0.1);
    assert.ok(m.weight(0) > 0.8, `LSTM weight ${m.weight(0)}`);
    assert.equal(m.weight(1), 0.5, 'other buckets untouched');
    for (let i = 0; i < 100_000; i++) m.update(1, 0, 1);
    assert.ok(m.weight(1) > 0 && m.weight(1) < 0.01);
    m.update(1, Number.NaN, 0.5); // ignored, not poisoned
    assert.ok(Number.isFinite(m.weight(1)));
    assert.equal(m.mix(0, 1, 0), m.weight(0));
    assert.throws(() => new Mixer({ buckets: 0 }), RangeError);
  });

  it('logistic mixing picks its weight set by the class of the last character, and both APM maps keep a distribution', () => {
    const mixed = new MixedPredictor(lstm(), vocab, ngramOf(workspace), undefined, new MatchModel(), { sse: true });
    const classOf = (text: string): { set: number; sum: number } => {
      const s = mixed.newState();
      const p = mixed.feed(s, vocab.encode(text))!;
      return { set: s.bucket, sum: p.reduce((a, b) => a + b, 0) };
    };
    const afterLetter = classOf('the widg');
    const afterSpace = classOf('the widget ');
    const afterNewline = classOf('the widget\n');
    assert.equal(afterLetter.set % 6, 2, 'lower-case letter');
    assert.equal(afterSpace.set % 6, 1, 'space');
    assert.equal(afterNewline.set % 6, 0, 'newline');
    assert.equal(mixed.weightSets().length, (mixed.ngram.order + 1) * 4 * 6);
    for (const r of [afterLetter, afterSpace, afterNewline]) assert.ok(Math.abs(r.sum - 1) < 1e-5, `sum ${r.sum}`);
  });

  it('gives a distribution over the LSTM ids that sums to 1, unknown id included (linear mixing)', () => {
    const mixed = new MixedPredictor(lstm(), vocab, ngramOf(workspace + 'ünïcode'), undefined, null, { mixing: 'linear', sse: false });
    const s = mixed.newState();
    const p = mixed.feed(s, vocab.encode('the widg'))!;
    const sum = p.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5, `sum ${sum}`);
    assert.ok(p[UNKNOWN_ID]! > 0, 'characters the LSTM lacks keep some mass');
    // Mixed probability = w·LSTM + (1 − w)·n-gram for every id.
    const w = mixed.mixer.weight(s.bucket);
    const id = vocab.idOf('e');
    assert.ok(Math.abs(p[id]! - (w * s.lastL[id]! + (1 - w) * s.lastN[id]!)) < 1e-6);
    assert.ok(s.bucket >= 4 * 4, `the n-gram matched a long context (bucket ${s.bucket})`);
  });

  it('recalls a workspace name the untrained LSTM cannot', () => {
    const ngram = ngramOf(workspace);
    const mixed = new MixedPredictor(lstm(), vocab, ngram);
    const { state, probs } = prime(mixed, vocab, 'so the widget fac');
    assert.equal(generate(mixed, vocab, state, probs, { temperature: 0, maxChars: 5 }), 'tory ');
    const alone = lstm();
    const l = prime(alone, vocab, 'so the widget fac');
    assert.notEqual(generate(alone, vocab, l.state, l.probs, { temperature: 0, maxChars: 5 }), 'tory ');
  });

  it('learns from text the user writes, not from its own guesses', () => {
    const ngram = ngramOf(workspace);
    const mixed = new MixedPredictor(lstm(), vocab, ngram);
    const states = new DocumentStates(mixed, vocab);
    const before = ngram.stats.entries;
    // A cold start reads the context without learning; generating does not learn either.
    const p = states.prepare('d', 'a new word: zebra', true);
    generate(mixed, vocab, p.state, p.probs, { temperature: 0, maxChars: 10 });
    assert.equal(ngram.stats.entries, before);
    // Typed characters (fed on top of a snapshot) are learned: the n-gram now knows what follows "zebr".
    states.prepare('d', 'a new word: zebra quagga', true);
    assert.ok(ngram.stats.entries > before);
    assert.ok(ngram.prob('a new word: zebra quag', 'g') > ngram.prob('the widget qua', 'g'));
  });

  it('scores text: with a useless (untrained) LSTM the mixture learns to follow the n-gram model', () => {
    const text = 'the widget factory makes widgets again. the factory is quiet.\n'.repeat(20);
    const r = scoreMixed(new MixedPredictor(lstm(), vocab, ngramOf(workspace)), text);
    assert.equal(r.chars, [...text].length);
    assert.ok(r.bitsPerChar < r.lstmBitsPerChar, `${r.bitsPerChar} < LSTM ${r.lstmBitsPerChar}`);
    assert.ok(r.bitsPerChar < r.ngramBitsPerChar + 0.1, `${r.bitsPerChar} vs n-gram ${r.ngramBitsPerChar}`);
    // The untrained LSTM is useless: the mixer learns to trust the n-gram model where it has long contexts.
    assert.ok(Math.min(...r.weights.slice(3 * 4)) < 0.5, r.weights.join(' '));
    // The adaptive n-gram part scores exactly as the n-gram model's own adaptive scoring does.
    const direct = ngramOf(workspace).bitsPerChar(text, { adaptive: true, history: '\n' });
    assert.ok(Math.abs(direct - r.ngramBitsPerChar) < 1e-6, `${direct} vs ${r.ngramBitsPerChar}`);
  });

  it('scores characters outside the LSTM vocabulary as a proper share of its unknown mass', () => {
    const text = 'the ÿ widget';
    const r = scoreMixed(new MixedPredictor(lstm(), vocab, ngramOf(workspace)), text);
    assert.equal(r.unknownChars, 1);
    assert.ok(Number.isFinite(r.bitsPerChar) && Number.isFinite(r.lstmBitsPerChar));
  });
});

describe('long-range match model', () => {
  const feed = (m: MatchModel, s: MatchState, text: string, prefix: string, learn: boolean) => {
    let recent = prefix;
    for (const ch of text) {
      m.advance(s, ch.codePointAt(0)!, recent, learn);
      recent += ch;
    }
    return recent;
  };

  it('predicts what followed the last occurrence of the recent text, and nothing for text never seen', () => {
    const m = new MatchModel(1 << 16, 12);
    m.addText('const widgetFactory = makeFactory(widgets);\nother text here\n');
    const s = m.newState();
    feed(m, s, 'let x = 1; const widgetFac', '', false);
    const p = m.predict(s);
    assert.ok(p, 'a match');
    assert.equal(String.fromCodePoint(p.codePoint), 't');
    assert.ok(p.bucket >= 1);
    const fresh = m.newState();
    feed(m, fresh, 'qqqqzzzzyyyy', '', false);
    assert.equal(m.predict(fresh), null);
  });

  it('follows a match as it goes on, with a longer-match bucket, and learns only real text', () => {
    const m = new MatchModel(1 << 16, 12);
    m.addText('alpha beta gamma delta epsilon zeta eta theta');
    const before = m.length;
    const s = m.newState();
    feed(m, s, 'alpha beta g', '', false);
    const short = m.predict(s)!;
    feed(m, s, 'amma delta eps', 'alpha beta g', false);
    const long = m.predict(s)!;
    assert.equal(String.fromCodePoint(long.codePoint), 'i');
    assert.ok(long.bucket > short.bucket, `${long.bucket} > ${short.bucket}`);
    assert.equal(m.length, before, 'guesses are not added to the history');
    const t = m.newState();
    feed(m, t, 'a brand new phrase, typed', '', true);
    assert.equal(m.length, before + [...'a brand new phrase, typed'].length);
    const u = m.newState();
    feed(m, u, 'xx a brand new phr', '', false);
    assert.equal(String.fromCodePoint(m.predict(u)!.codePoint), 'a', 'typed text is recalled later');
  });

  it('clones: a copy predicts as the original and learns apart from it', () => {
    const m = new MatchModel(1 << 16, 12);
    m.addText('one two three four five six seven');
    const c = m.clone();
    const s1 = m.newState();
    const s2 = c.newState();
    feed(m, s1, 'one two thr', '', false);
    feed(c, s2, 'one two thr', '', false);
    assert.deepEqual(c.predict(s2), m.predict(s1));
    feed(c, c.newState(), 'brand new words', '', true);
    assert.equal(c.length, m.length + [...'brand new words'].length);
    const probe = m.newState();
    feed(m, probe, 'xx brand new wo', '', false);
    assert.equal(m.predict(probe), null, 'the original never saw what the copy learned');
  });

  it('makes the mixture recall a long line of the workspace the LSTM has never seen', () => {
    const vocab = Vocabulary.fromText('abcdefghijklmnopqrstuvwxyz .\n');
    const config = { cell: 'lstm' as const, layers: 1, units: 16, embeddingSize: 8, dropout: 0, vocabSize: vocab.size };
    const weights = new Float32Array(totalSize(paramLayout(config)));
    initParams(config, new ParamViews(paramLayout(config), weights), 3);
    const line = 'the quick brown fox jumps over the lazy dog near the river bank.\n';
    const ngram = new NGramModel();
    ngram.add(line);
    const match = new MatchModel(1 << 16, 12);
    match.addText(line);
    const mixed = new MixedPredictor(new Predictor(new JsKernels(), config, weights), vocab, ngram, undefined, match);
    const { state, probs } = prime(mixed, vocab, 'so: the quick brown fox jumps over the l');
    assert.equal(generate(mixed, vocab, state, probs, { temperature: 0, maxChars: 12 }), 'azy dog near');
  });
});
