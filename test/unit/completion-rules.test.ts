import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inCommentOrString, lineEndIsFree, trimSuggestion } from '../../src/shared/completionRules';
import { TypedCache } from '../../src/host/typedCache';
import { DocumentStates } from '../../src/engine/stateCache';
import { JsKernels } from '../../src/engine/kernels/js';
import { initParams, paramLayout, ParamViews, totalSize } from '../../src/engine/params';
import { Predictor } from '../../src/engine/predictor';
import { Vocabulary } from '../../src/engine/vocab';
import { defaultSettings, parseSettings, SETTINGS } from '../../src/shared/settings';
import { repoRoot } from '../helpers/paths';

describe('completion rules', () => {
  it('suggests only where no code follows the cursor', () => {
    assert.ok(lineEndIsFree(''));
    assert.ok(lineEndIsFree(')'));
    assert.ok(lineEndIsFree('");  '));
    assert.ok(!lineEndIsFree(' foo()'));
    assert.ok(!lineEndIsFree('x'));
  });

  it('tells comments and strings from code on the current line', () => {
    assert.ok(inCommentOrString('const a = 1; // note', 'typescript'));
    assert.ok(inCommentOrString('x = "abc', 'python'));
    assert.ok(!inCommentOrString('x = "abc" + y', 'python'));
    assert.ok(inCommentOrString('x = 1  # why', 'python'));
    assert.ok(!inCommentOrString('x = "a#b" + 1', 'python'));
    assert.ok(!inCommentOrString("it's prose", 'markdown'));
    assert.ok(!inCommentOrString('const s = "a\\"b" + c', 'javascript'));
  });

  it('cuts a continuation at the end of the line, or at a dedent or blank line when multi-line', () => {
    assert.equal(trimSuggestion('foo(bar);\nnext', { multiline: false, indent: '' }), 'foo(bar);');
    assert.equal(trimSuggestion('   \nx', { multiline: false, indent: '' }), '');
    assert.equal(trimSuggestion('a {\n    b;\n  }\nc', { multiline: true, indent: '  ' }), 'a {\n    b;\n  }');
    assert.equal(trimSuggestion('one\n\ntwo', { multiline: true, indent: '' }), 'one');
    assert.equal(trimSuggestion('x = 1   ', { multiline: false, indent: '' }), 'x = 1');
  });
});

describe('typed-through cache', () => {
  it('keeps a shown suggestion while its first characters are typed, and drops it on a mismatch', () => {
    const c = new TypedCache();
    c.remember('doc', { before: 'let value = comp', items: ['uteTotal(items);', 'are(a, b);'] });
    assert.deepEqual(c.lookup('doc', 'let value = comp'), ['uteTotal(items);', 'are(a, b);']);
    assert.deepEqual(c.lookup('doc', 'let value = compute'), ['Total(items);']);
    assert.equal(c.lookup('doc', 'let value = compx'), undefined);
    // A sliding window: the start of the context moved on by as much as was typed.
    assert.deepEqual(c.lookup('doc', 'et value = compu'), ['teTotal(items);']);
    assert.equal(c.lookup('other', 'let value = comp'), undefined);
  });
});

describe('per-document recurrent state', () => {
  const vocab = Vocabulary.fromText('abcdefghijklmnopqrstuvwxyz .\n');
  const config = { cell: 'lstm' as const, layers: 2, units: 16, embeddingSize: 8, dropout: 0, vocabSize: vocab.size };
  const weights = new Float32Array(totalSize(paramLayout(config)));
  initParams(config, new ParamViews(paramLayout(config), weights), 5);
  const predictor = new Predictor(new JsKernels(), config, weights);
  const fresh = (text: string) => predictor.feed(predictor.newState(), vocab.encode(text))!.slice();

  it('feeds only the typed characters and gives exactly the distribution of a cold start', () => {
    const states = new DocumentStates(predictor, vocab);
    const first = states.prepare('d', 'the quick brown', true);
    assert.equal(first.cold, true);
    const typed = states.prepare('d', 'the quick brown fo', true);
    assert.equal(typed.cold, false);
    assert.equal(typed.fed, 3);
    assert.deepEqual(typed.probs, fresh('the quick brown fo'));
    const back = states.prepare('d', 'the quick brown', true);
    assert.equal(back.fed, 0, 'backspace reuses an earlier snapshot');
    const jump = states.prepare('d', 'jumped elsewhere', true);
    assert.equal(jump.cold, true);
  });

  it('slides with a fixed-size window without a cold start', () => {
    const states = new DocumentStates(predictor, vocab);
    states.prepare('d', 'abcdefghij', false);
    const next = states.prepare('d', 'cdefghijkl', false);
    assert.equal(next.cold, false);
    assert.equal(next.fed, 2);
  });
});

describe('settings', () => {
  it('package.json declares exactly the settings the code reads, with the same defaults and ranges', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const props = pkg.contributes.configuration.properties as Record<string, any>;
    assert.deepEqual(Object.keys(props).sort(), Object.keys(SETTINGS).map((k) => `inkling.${k}`).sort());
    for (const [name, spec] of Object.entries(SETTINGS)) {
      const p = props[`inkling.${name}`];
      assert.deepEqual(p.default, spec.default, name);
      assert.ok(typeof p.markdownDescription === 'string' && p.markdownDescription.length > 10, `${name} has a description`);
      if (spec.type === 'number') assert.deepEqual([p.minimum, p.maximum], [spec.min, spec.max], name);
      if (spec.type === 'enum') assert.deepEqual(p.enum, spec.values, name);
    }
  });

  it('clamps out-of-range values and replaces wrongly typed ones, saying so', () => {
    const values: Record<string, unknown> = { 'completion.temperature': 9, 'completion.maxChars': 'lots', 'model.cell': 'transformer', 'languages': { markdown: false } };
    const { settings, problems } = parseSettings((n) => values[n]);
    assert.equal(settings.temperature, 2);
    assert.equal(settings.maxSuggestionChars, defaultSettings().maxSuggestionChars);
    assert.equal(settings.cell, 'lstm');
    assert.deepEqual(settings.languages, { '*': true, markdown: false });
    assert.equal(problems.length, 3);
    assert.match(problems.join('\n'), /inkling.completion.temperature must be from 0 to 2; using 2/);
  });
});

describe('partial accept detection', () => {
  it('counts a multi-character insertion of a proper prefix at the suggestion, not typing or a full accept', async () => {
    const { PartialAcceptDetector } = await import('../../src/shared/stats');
    const d = new PartialAcceptDetector();
    d.shown('doc', 10, 'computeTotal(items);');
    assert.equal(d.change('doc', 10, 0, 'c'), 0, 'one typed character');
    assert.equal(d.change('doc', 10, 0, 'computeTotal(items);'), 0, 'the full accept is counted by its command');
    assert.equal(d.change('doc', 10, 0, 'computeTotal'), 12);
    assert.equal(d.change('doc', 22, 0, '(items'), 6, 'then the next word');
    assert.equal(d.change('doc', 22, 0, 'xy'), 0, 'elsewhere');
    assert.equal(d.change('other', 10, 0, 'computeTotal'), 0);
  });
});
