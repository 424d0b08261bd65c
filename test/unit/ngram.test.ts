import * as assert from 'assert';
import * as fs from 'fs';
import { NGramModel, type NGramJSON, type Smoothing } from '../../src/ngram';
import { sharedCorpus } from '../helpers/paths';


/** Deterministic pseudo-random text over `alphabet` (xorshift32). */
function randomText(n: number, alphabet: string, seed: number): string {
  let s = seed >>> 0 || 1;
  let out = '';
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out += alphabet[s % alphabet.length];
  }
  return out;
}

const SAMPLE = 'the cat sat on the mat.\nthe dog sat on the log.\nthe cat ate the rat.\n';
const SMOOTHINGS: Smoothing[] = ['kn', 'ppmd', 'ppmc'];

describe('NGramModel', () => {
  for (const smoothing of SMOOTHINGS) {
    describe(`smoothing ${smoothing}`, () => {
      const model = new NGramModel({ order: 4, smoothing });
      model.add(SAMPLE);

      it('predict() sums to 1 over the seen alphabet plus escape', () => {
        for (const ctx of ['', 't', 'the ', 'the cat', 'zzz', 'x\u20ac', 'sat on the ']) {
          const p = model.predict(ctx);
          assert.strictEqual(p.chars.length, p.probs.length);
          let sum = p.escape;
          for (const q of p.probs) {
            assert.ok(q > 0 && q < 1, `probability ${q} out of (0, 1)`);
            sum += q;
          }
          assert.ok(p.escape > 0);
          assert.ok(Math.abs(sum - 1) < 1e-9, `context ${JSON.stringify(ctx)} sums to ${sum}`);
        }
      });

      it('prob() agrees with predict() and is never 0 for unseen characters', () => {
        for (const ctx of ['the c', 'on the ', '', 'qq']) {
          const p = model.predict(ctx);
          p.chars.forEach((ch, i) => {
            assert.ok(Math.abs(model.prob(ctx, ch) - p.probs[i]!) < 1e-12);
          });
          for (const unseen of ['Z', '\u20ac', '\u{1F600}']) {
            const q = model.prob(ctx, unseen);
            assert.ok(q > 0, `P(${unseen}) = ${q}`);
            const share = p.escape / (model.alphabetSize - model.vocabularySize);
            assert.ok(Math.abs(q - share) < 1e-12);
          }
        }
      });
    });
  }

  it('gives few bits to repetitive text and many to random text', () => {
    const model = new NGramModel({ order: 6 });
    const rep = 'abcdefgh'.repeat(500);
    model.add(rep);
    assert.ok(model.bitsPerChar('abcdefgh'.repeat(50), { history: 'abcdefgh' }) < 0.1);

    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/';
    const rnd = new NGramModel({ order: 6 });
    rnd.add(randomText(50_000, alphabet, 1));
    const bits = rnd.bitsPerChar(randomText(5_000, alphabet, 2));
    assert.ok(bits > 5.8, `random text (6 bits of entropy) scored ${bits} bits/char`);
  });

  it('adaptive scoring learns as it goes and leaves the model unchanged', () => {
    const model = new NGramModel({ order: 5 });
    model.add(SAMPLE);
    const before = JSON.stringify(model.toJSON());
    const text = 'a brand new phrase that repeats. '.repeat(20);
    const adaptive = model.bitsPerChar(text, { adaptive: true });
    const staticBits = model.bitsPerChar(text);
    assert.ok(adaptive < staticBits / 2, `adaptive ${adaptive} vs static ${staticBits}`);
    assert.strictEqual(JSON.stringify(model.toJSON()), before);
  });

  it('is deterministic', () => {
    const build = () => {
      const m = new NGramModel({ order: 5 });
      m.add(SAMPLE);
      m.add('the rat sat.\n', { history: SAMPLE });
      return m;
    };
    const a = build();
    const b = build();
    assert.deepStrictEqual(a.toJSON(), b.toJSON());
    assert.strictEqual(a.bitsPerChar(SAMPLE), b.bitsPerChar(SAMPLE));
    assert.deepStrictEqual(a.predict('the '), b.predict('the '));
    assert.strictEqual(a.complete('the ', 30), b.complete('the ', 30));
  });

  it('uses history as context without counting it', () => {
    const m = new NGramModel({ order: 3 });
    m.add('xyz', { history: 'abc' });
    assert.strictEqual(m.vocabularySize, 3);
    m.add('abcd');
    m.add('Q', { history: 'abc' });
    assert.ok(m.prob('abc', 'd') > 0.3);
  });

  it('treats astral characters as single characters', () => {
    const m = new NGramModel({ order: 3 });
    m.add('\u{1F600}a\u{1F600}a\u{1F600}a');
    assert.strictEqual(m.vocabularySize, 2);
    assert.strictEqual(m.complete('\u{1F600}', 3), 'a\u{1F600}a');
  });

  describe('complete()', () => {
    it('follows the most likely path on a hand-checked corpus', () => {
      const m = new NGramModel({ order: 3 });
      m.add('abcabcabc');
      assert.strictEqual(m.complete('ab', 4), 'cabc');
      const h = new NGramModel({ order: 4 });
      h.add('hello world\nhello world\nhelp me\n');
      assert.strictEqual(h.complete('hello w', 20, (ch) => ch === '\n'), 'orld');
      assert.strictEqual(h.complete('hel', 2), 'lo');
      assert.strictEqual(h.complete('hello w', 20, (_ch, soFar) => soFar.length === 2), 'or');
    });

    it('returns an empty string from an empty model', () => {
      assert.strictEqual(new NGramModel().complete('abc', 10), '');
    });
  });

  describe('serialisation', () => {
    const model = new NGramModel({ order: 5 });
    model.add(SAMPLE);
    model.add('\u20ac and \u{1F600} too\n');

    it('round-trips to an equal model', () => {
      const json = JSON.parse(JSON.stringify(model.toJSON())) as NGramJSON;
      const back = NGramModel.fromJSON(json);
      assert.deepStrictEqual(back.toJSON(), model.toJSON());
      assert.deepStrictEqual(back.predict('the c'), model.predict('the c'));
      assert.strictEqual(back.bitsPerChar(SAMPLE), model.bitsPerChar(SAMPLE));
      // Equal also after further training.
      back.add('the log ate the cat.\n');
      const again = NGramModel.fromJSON(json);
      again.add('the log ate the cat.\n');
      assert.deepStrictEqual(again.toJSON(), back.toJSON());
      // A JSON string is accepted too.
      assert.deepStrictEqual(NGramModel.fromJSON(JSON.stringify(json)).toJSON(), model.toJSON());
    });

    it('rejects corrupted input with a clear error', () => {
      const good = model.toJSON();
      const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
      const bad: unknown[] = [
        null, 42, 'not json at all', {}, [],
        { ...good, format: 'other' },
        { ...good, version: 99 },
        { ...good, order: 0 },
        { ...good, smoothing: 'magic' },
        { ...good, vocab: [...good.vocab, -1] },
        { ...good, vocab: [...good.vocab, good.vocab[0]] },
        { ...good, data: flip(good.data, 10) },
        { ...good, data: good.data.slice(0, -4) },
        { ...good, data: good.data + '!' },
        { ...good, checksum: '00000000' },
        { ...good, entries: good.entries + 1 },
        { ...good, contexts: good.contexts - 1 },
      ];
      for (const b of bad) {
        assert.throws(() => NGramModel.fromJSON(b), /Invalid n-gram model/, JSON.stringify(b)?.slice(0, 80));
      }
    });
  });

  it('stays within maxContexts by pruning, and keeps working', () => {
    const m = new NGramModel({ order: 8, maxContexts: 2000 });
    const text = randomText(20_000, 'abcdefgh ', 7);
    m.add(text);
    assert.ok(m.stats.contexts <= 2000);
    assert.ok(m.stats.entries <= 4000);
    const bits = m.bitsPerChar(randomText(2_000, 'abcdefgh ', 8));
    assert.ok(bits < Math.log2(9) + 0.3, `bits ${bits}`);
    const p = m.predict('abc');
    assert.ok(Math.abs(p.probs.reduce((a, b) => a + b, p.escape) - 1) < 1e-9);
  });

  it('does not re-prune at every character when nothing is prunable', function () {
    this.timeout(20_000);
    const m = new NGramModel({ order: 4, maxContexts: 300 });
    let cjk = '';
    for (let i = 0; i < 40_000; i++) cjk += String.fromCharCode(0x4e00 + ((i * 7919) % 2000));
    const t0 = Date.now();
    m.add(cjk);
    assert.ok(Date.now() - t0 < 10_000, 'adding took too long');
    assert.ok(m.stats.contexts <= 300);
    assert.ok(m.prob(cjk.slice(0, 10), '\u4e00') > 0);
  });

  it('rejects invalid options', () => {
    assert.throws(() => new NGramModel({ order: 0 }), RangeError);
    assert.throws(() => new NGramModel({ order: 2.5 }), RangeError);
    assert.throws(() => new NGramModel({ maxContexts: 0 }), RangeError);
    assert.throws(() => new NGramModel({ alphabetSize: 1 }), RangeError);
    assert.throws(() => new NGramModel().prob('abc', ''), RangeError);
  });

  describe('tinyshakespeare', function () {
    const file = sharedCorpus('tinyshakespeare.txt');

    it('scores under 2.3 bits/char on held-out text (first 100k chars of the last 10%)', function () {
      if (!fs.existsSync(file)) this.skip();
      this.timeout(120_000);
      const text = fs.readFileSync(file, 'utf8');
      const cut = Math.floor(text.length * 0.9);
      const train = text.slice(0, cut);
      const test = text.slice(cut, cut + 100_000);
      const model = new NGramModel();
      model.add(train);
      const bits = model.bitsPerChar(test, { history: train });
      assert.ok(bits < 2.3, `static bits/char ${bits}`);
      const p = model.predict('ROMEO:\nI will');
      assert.ok(Math.abs(p.probs.reduce((a, b) => a + b, p.escape) - 1) < 1e-9);
    });
  });
});
