import assert from 'node:assert/strict';
import { mixFixture } from '../helpers/mixFixture';
import { type Continuation, confidentLength, confidentText, continueWithConfidence, forCursor, shownText, upToThreshold } from '../../src/engine/confident';
import { ghostTextReports, ghostTextSamples, heldOutGhostText, workspaceParts, workspaceTexts } from '../../src/eval/ghostText';
import { toGhostTextView } from '../../src/dashboard/state';
import { JsKernels } from '../../src/engine/kernels/js';
import { makeModel } from '../helpers/models';
import { DEFAULT_TRAIN } from '../../src/shared/modelConfig';
import type { SavedModel } from '../../src/engine/format';
import { DocumentLines } from '../../src/mix/documentLines';
import { codeOnlyLength } from '../../src/shared/completionRules';
import { prime } from '../../src/engine/generate';
import { UNKNOWN_ID, Vocabulary } from '../../src/engine/vocab';
import { typedSegments, wordSteps, figures, reliability, simulatePerson, proposeAll, type Proposer, type Segment, suggestionReport } from '../../src/eval/suggestions';
import { scoreMixed } from '../../src/eval/mixture';
import { Apm, MatchModel, MixedPredictor, priorLstmShare } from '../../src/mix';
import { proposerOf } from '../../src/eval/suggesters';
import { shownFigures } from '../../src/eval/suggestions';
import { judgeDocument } from '../../src/corpus';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const cont = (text: string, confidence: number[], lineEnded = true): Continuation => ({ text, confidence, lineEnded });

describe('ghost text by confidence', () => {
  it('cuts where the confidence falls below the threshold, at a token boundary, trailing spaces dropped', () => {
    const c = cont('foo(bar) x', [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.1]);
    assert.equal(confidentLength(c, 0.5), 4, 'not inside "bar": "foo(" is the longest cut at 0.5');
    assert.equal(confidentLength(c, 0.65), 3, '"foo" ends where "(" begins');
    assert.equal(confidentLength(c, 0.95), 0, 'nothing when not even the first word is that likely');
    assert.equal(confidentLength(c, 0), 10, 'threshold 0 shows everything');
    assert.equal(confidentText(c, 0.25).text, 'foo(bar)', 'the space after ")" is not shown');
    assert.equal(confidentText(c, 0.25).confidence, 0.25);
    // At the length cap (not the end of the line) a word may go on: the end is not a boundary then.
    assert.equal(confidentLength(cont('abc', [0.9, 0.9, 0.9], false), 0.5), 0);
    assert.equal(confidentLength(cont('abc', [0.9, 0.9, 0.9], true), 0.5), 3);
  });

  it('in code, stops where a suggestion turns into prose or opens a comment; not in comments or prose files', () => {
    const prose = 'Observable that emits a value from the sour';
    assert.equal(codeOnlyLength(prose, 'typescript'), 'Observable'.length);
    assert.equal(codeOnlyLength('oups = new Map<K, SubjectLike<any>>();', 'typescript'), 38, 'code is kept whole');
    assert.equal(codeOnlyLength('export declare function foo(): void;', 'typescript'), 36, 'keywords are not prose');
    assert.equal(codeOnlyLength('x = 1; // the widget is here', 'typescript'), 7);
    assert.equal(codeOnlyLength("s = '// not a comment'", 'typescript'), 22);
    assert.equal(codeOnlyLength('y = 2  # the widget is here', 'python'), 7);
    assert.equal(codeOnlyLength(prose, 'markdown'), prose.length);
    const c = cont(prose, prose.split('').map(() => 0.9));
    assert.equal(forCursor(c, 'import { ', 'typescript').text, 'Observable');
    assert.equal(forCursor(c, '// see the ', 'typescript').text, prose, 'inside a comment prose is what is wanted');
  });

  it('open documents feed each new line once, never secrets or secret files', () => {
    const lines = new DocumentLines();
    assert.equal(lines.newText('file:///a.ts', 'const alpha = 1;\nconst beta = 2;\n'), 'const alpha = 1;\nconst beta = 2;\n');
    assert.equal(lines.newText('file:///a.ts', 'const alpha = 1;\nconst beta = 2;\nconst gamma = 3;\n'), 'const gamma = 3;\n');
    assert.equal(lines.newText('file:///b.ts', 'const alpha = 1;\n'), 'const alpha = 1;\n', 'per document');
    assert.equal(lines.newText('file:///x/.env', 'TOKEN=abc\n'), '');
    const masked = lines.newText('file:///c.ts', 'const key = "AKIAIOSFODNN7EXAMPLE";\n');
    assert.ok(!masked.includes('AKIAIOSFODNN7EXAMPLE'), masked);
  });

  it('typed text is learned once: lines learned as typed are not learned again from the document', () => {
    const lines = new DocumentLines();
    const doc = 'file:///t.ts';
    assert.equal(lines.newText(doc, 'const alpha = 1;\n'), 'const alpha = 1;\n', 'the document as opened');
    // Typing "const beta = 2;\n" and the start of the next line: the worker learned those characters.
    const context = 'const alpha = 1;\nconst beta = 2;\nco';
    lines.markLearned(doc, context, 'const beta = 2;\nco'.length);
    assert.equal(lines.newText(doc, `${context}nst gamma = 3;\n`), 'const gamma = 3;\n',
      'the typed line is not given again; the line the cursor was on (unfinished then) is new');
    // Only lines overlapping what was learned count: an older line primed (not learned) is still new.
    const other = new DocumentLines();
    other.markLearned(doc, 'const old = 0;\nconst typed = 1;\n', 'typed = 1;\n'.length);
    assert.equal(other.newText(doc, 'const old = 0;\nconst typed = 1;\n'), 'const old = 0;\n');
    other.markLearned(doc, 'x', 0);
  });

  it('open documents are judged by the rules training applies (exclude, .gitignore, secrets, minified)', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-doc-'));
    try {
      fs.mkdirSync(path.join(root, 'held', 'deep'), { recursive: true });
      fs.mkdirSync(path.join(root, 'src'));
      fs.writeFileSync(path.join(root, '.gitignore'), 'gen/\n*.log\n');
      fs.writeFileSync(path.join(root, 'src', '.gitignore'), 'private.ts\n');
      const judge = (rel: string, text = 'const a = 1;\n', exclude: string[] = []) =>
        judgeDocument([root], { include: ['**/*'], exclude }, path.join(root, rel), text);
      assert.equal(await judge('src/a.ts'), undefined, 'an ordinary source file feeds the models');
      assert.equal((await judge('held/deep/a.ts', undefined, ['held/**']))?.reason, 'excluded');
      assert.equal((await judge('gen/out.ts'))?.reason, 'ignored', 'a .gitignore-d folder');
      assert.equal((await judge('run.log'))?.reason, 'ignored');
      assert.equal((await judge('src/private.ts'))?.reason, 'ignored', 'a nested .gitignore');
      assert.equal((await judge('.env', 'TOKEN=abc\n'))?.reason, 'secret');
      assert.equal((await judge('node_modules/x/index.ts'))?.reason, 'excluded', 'built-in folders');
      assert.equal((await judge('src/min.js', `var a=1;${'b=2;'.repeat(600)}`))?.reason, 'minified');
      assert.equal((await judgeDocument([root], {}, undefined, 'untitled text\n')), undefined, 'untitled: by content');
      assert.equal((await judgeDocument([root], {}, path.join(os.tmpdir(), 'elsewhere', 'id_rsa'), 'x\n'))?.reason, 'secret', 'outside the roots: by name');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('the figures of suggestions shown at given positions: longest correct prefix, right ÷ shown, right ÷ real', () => {
    const f = shownFigures([
      { shown: 'urn x;', real: 'urn y;' },
      { shown: 'st', real: 'st out = 1;' },
      { shown: '', real: 'abc' },
    ]);
    assert.deepEqual([f.positions, f.suggestions, f.charsShown, f.charsRight, f.charsReal], [3, 2, 8, 6, 20]);
    assert.equal(f.precision, 6 / 8);
    assert.equal(f.recall, 6 / 20);
    assert.equal(f.fullAcceptRate, 0.5);
  });

  it('an APM learns the rate at which its event really happens', () => {
    const apm = new Apm(2);
    const slot = { index: 0, frac: 0 };
    assert.ok(Math.abs(apm.refine(0.5, 0, slot) - 0.5) < 1e-9, 'starts on the identity');
    for (let i = 0; i < 2000; i++) {
      apm.refine(0.5, 0, slot);
      apm.update(slot, i % 10 < 9 ? 1 : 0);
    }
    const p = apm.refine(0.5, 0, slot);
    assert.ok(p > 0.8 && p < 0.97, `refined ${p}`);
    assert.ok(Math.abs(apm.refine(0.5, 1, slot) - 0.5) < 1e-9, 'other contexts untouched');
  });

  it('a simulated user: precision, recall, full accepts and keystrokes net of reading', () => {
    const text = 'let total = count + 1;\nlet other = 2;\n';
    const seg: Segment = { doc: 'd', languageId: 'typescript', text, start: 0, end: text.length };
    // Suggests "total = count" after "let " (right), "other = 9" after the second "let " (4 of 9 right).
    const proposer: Proposer = {
      open: () => {},
      propose: (_s, before) => {
        const one = (t: string) => cont(t, t.split('').map(() => 0.8));
        if (before === 'let ') return one('total = count');
        if (before.endsWith('\nlet ')) return one('other = 9');
        return cont('', []);
      },
    };
    const at = proposeAll(seg, proposer);
    const run = simulatePerson(seg, at, 0.5, 0.2);
    const f = figures(run);
    assert.equal(f.suggestions, 2);
    assert.equal(f.charsShown, 13 + 9);
    assert.equal(f.charsRight, 13 + 8);
    assert.equal(f.precision, 21 / 22);
    assert.equal(f.recall, 21 / run.baseline);
    assert.equal(f.fullAcceptRate, 0.5);
    // 38 characters to type; Tab once for 13, Ctrl+Right 3 times for "other = " (8), the rest typed.
    assert.equal(run.baseline, text.length);
    assert.equal(run.keys, text.length - 13 + 1 - 8 + 3);
    assert.ok(Math.abs(f.keystrokesSaved - (1 - (run.keys + 0.2 * 22) / run.baseline)) < 1e-12);
    assert.equal(figures(simulatePerson(seg, at, 0.9, 0.2)).suggestions, 0, 'above the model\'s confidence nothing is shown');
    const rel = reliability(run.suggestions);
    assert.equal(rel.length, 1);
    assert.equal(rel[0]!.observed, 0.5);
    assert.equal(wordSteps('other = '), 3);
  });

  it('types stretches from the middle of each file, whole lines', () => {
    const long = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const segs = typedSegments([{ path: 'a.ts', text: long }, { path: 'b.py', text: 'short\n' }], 500, 100);
    assert.equal(segs.length, 2);
    assert.ok(segs[0]!.start > 0 && long[segs[0]!.start - 1] === '\n');
    assert.equal(segs[0]!.text[segs[0]!.end - 1], '\n');
    assert.equal(segs[1]!.languageId, 'python');
    assert.equal(segs[1]!.start, 0);
  });
});

describe('mixing and calibration', () => {
  const { vocab, lstm, workspace, ngramOf } = mixFixture();

  it('starts the LSTM\'s weight from what the models scored on held-out text', () => {
    assert.ok(priorLstmShare({ lstmBits: 4, ngramBits: 1 }) < 0.15, 'an undertrained LSTM starts with little say');
    assert.ok(priorLstmShare({ lstmBits: 1, ngramBits: 2 }) > 0.6);
    assert.equal(priorLstmShare(undefined), 0.3);
  });

  it('logistic mixing gives a distribution that sums to 1 and follows the better model on its text', () => {
    const mixed = new MixedPredictor(lstm(), vocab, ngramOf(workspace), undefined, null, { prior: { lstmBits: 4.5, ngramBits: 1 } });
    const s = mixed.newState();
    const p = mixed.feed(s, vocab.encode('the widg'))!;
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    const text = 'the widget factory makes widgets again. the factory is quiet.\n'.repeat(20);
    const r = scoreMixed(new MixedPredictor(lstm(), vocab, ngramOf(workspace)), text);
    assert.ok(r.bitsPerChar < r.ngramBitsPerChar && r.bitsPerChar < r.lstmBitsPerChar,
      `the mixture ${r.bitsPerChar} is below its inputs (n-gram part ${r.ngramBitsPerChar}, LSTM ${r.lstmBitsPerChar})`);
  });

  it('without an LSTM: the n-gram and match models alone recall a workspace line, sure of it', () => {
    const line = 'const widgetFactory = createWidgetFactory(options);\n';
    const ws = Vocabulary.fromText(line);
    // Seen three times: sure enough to show (once, the n-gram model keeps much doubt, as it should).
    const ngram = ngramOf(line.repeat(3));
    const match = new MatchModel(1 << 16, 12);
    match.addText(line.repeat(3));
    const alone = new MixedPredictor(null, ws, ngram, undefined, match);
    const { state, probs } = prime(alone, ws, 'x;\nconst widgetFac');
    assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.ok(probs[UNKNOWN_ID]! > 0);
    const c = continueWithConfidence(alone, ws, state, probs, { maxChars: 40, stopBefore: (ch) => ch === '\n' });
    assert.equal(c.text, 'tory = createWidgetFactory(options);');
    assert.ok(confidentText(c, 0.3).text.length >= 4, `confidences ${c.confidence.slice(0, 6).join(', ')}`);
  });

  it('a name typed a few lines above is suggested (the document feeds the models as it is typed)', () => {
    const ws = Vocabulary.fromText('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ =();\n');
    const alone = new MixedPredictor(null, ws, ngramOf('let a = 1;\n'), undefined, new MatchModel(1 << 16, 12));
    const text = 'let frobnicatorQueue = makeQueue();\nlet b = frob';
    const seg: Segment = { doc: 'd', languageId: 'typescript', text, start: 0, end: text.length };
    const before = text;
    // Typed character by character (learning), then asked after "frob".
    const proposer = proposerFor(alone, ws);
    for (let i = 0; i < text.length; i++) proposer.propose(seg, text.slice(0, i));
    const c = proposer.propose(seg, before);
    assert.ok(c.text.startsWith('nicatorQueue'), c.text);
  });

  it('the replay proposer reads documents as the worker does: typed lines are not read again when the document is', () => {
    const ws = Vocabulary.fromText('abcdefghijklmnopqrstuvwxyz =();\n');
    const alone = new MixedPredictor(null, ws, ngramOf('let a = 1;\n'), undefined, new MatchModel(1 << 16, 12));
    const learned: string[] = [];
    const proposer = proposerOf(alone, ws, undefined, { learnText: (t) => { learned.push(t); alone.learnText(t); } });
    const text = 'let first = one();\nlet second = two();\n';
    const seg: Segment = { doc: 'd', languageId: 'typescript', text, start: 0, end: text.length };
    proposer.observe('d', 'let first = one();\n'); // the document when it is opened
    for (let i = 'let first = one();\n'.length; i <= text.length; i++) proposer.propose(seg, text.slice(0, i));
    proposer.observe('d', `${text}let third = three();\n`);
    assert.deepEqual(learned, ['let first = one();\n', 'let third = three();\n'], 'the typed line is not given to the models a second time');
  });

  it('suggestionReport gives a curve that includes the chosen threshold', () => {
    const alone = new MixedPredictor(null, vocab, ngramOf(workspace.repeat(3)));
    const text = workspace.repeat(2);
    const rep = suggestionReport([{ doc: 'd', languageId: 'plaintext', text, start: 0, end: text.length }], proposerFor(alone, vocab), 0.4, 0.2);
    assert.ok(rep.curve.some((f) => f.threshold === 0.4));
    assert.ok(rep.precision > 0.5, `precision ${rep.precision}`);
    const at0 = rep.curve.find((f) => f.threshold === 0)!;
    assert.ok(at0.charsShown >= rep.charsShown, 'a lower threshold shows more');
  });
});

function proposerFor(m: MixedPredictor, v: Vocabulary): Proposer {
  return proposerOf(m, v);
}

describe('the first-run offer', () => {
  it('says what will be read, what is skipped and why, and how long training takes with what it buys', async () => {
    const { offerText, relativeCost, CONSERVATIVE_REFERENCE_CHARS_PER_SEC } = await import('../../src/shared/offer');
    assert.equal(relativeCost(2, 256), 1);
    assert.ok(relativeCost(1, 96) < 0.1);
    const s = { maxCorpusMB: 16, trainingMinutes: 10, layers: 2, units: 256 };
    const t = offerText({ files: 120, chars: 2_400_000, truncated: false, skipped: { ignored: 40, binary: 3, secret: 2 } }, s);
    assert.match(t, /read 120 files \(2\.4 million characters\)/);
    assert.match(t, /skipping 40 ignored by \.gitignore, 3 binary, 2 secret files/);
    const passes = (CONSERVATIVE_REFERENCE_CHARS_PER_SEC * 600) / 2_400_000;
    assert.match(t, new RegExp(`Training takes 10 minutes .*about ${Math.round(passes * 100)}% of the text`), t);
    const big = offerText({ files: 9000, chars: 16_000_000, truncated: true, skipped: {} }, s);
    assert.match(big, /stopping at the 16 MB cap/);
    assert.match(big, /about 5% of the text/, big);
    assert.match(offerText(null, s), /reads up to 16 MB/);
  });
});

describe('ghost text on the held-out files (the end of a training run, the dashboard, inkling train)', function () {
  this.timeout(60_000);
  // A tiny untrained LSTM mixed with n-gram and match models built from "training" text that the held-out files
  // resemble: the held-out figures must be those `inkling eval` computes with its full continuations and curve.
  const train = [
    'export function widgetFactory(options) {\n  return createWidget(options);\n}\n',
    'export function gadgetFactory(options) {\n  return createGadget(options);\n}\n',
  ].map((t) => t.repeat(6));
  const held = [
    { path: 'a.ts', text: 'export function widgetFactory(options) {\n  return createWidget(options);\n}\n'.repeat(3) },
    { path: 'notes.md', text: 'the widget factory makes widgets for the gadget factory.\n'.repeat(4) },
  ];
  const model = (): SavedModel => {
    const m = makeModel({ text: [...train, ...held.map((h) => h.text)].join(''), layers: 1, units: 16, embeddingSize: 8, dropout: 0 });
    m.meta.training = { config: { ...DEFAULT_TRAIN, minutes: 1 }, steps: 1, epochs: 0, elapsedSec: 1, charsPerSec: 1, backend: 'js', trainBitsPerChar: 4, validationBitsPerChar: 3.5, stopReason: 'test' };
    return m;
  };

  it('at the threshold, generating only as far as the worker does gives exactly the full evaluation\'s figures', () => {
    const kernels = new JsKernels();
    const m = model();
    for (const threshold of [0.2, 0.4, 0.6]) {
      const g = heldOutGhostText(kernels, m, workspaceParts(workspaceTexts(train)), held, { threshold, typingChars: 400 });
      assert.ok(g);
      const full = ghostTextReports(kernels, m, workspaceParts(train), typedSegments(held, 400), { threshold, curve: true });
      assert.equal(g.typedChars, typedSegments(held, 400).reduce((a, s) => a + s.end - s.start, 0));
      assert.equal(g.files, 2);
      assert.equal(g.confidence, threshold);
      for (const [mine, theirs] of [[g.inkling, full.inkling], [g.ngramPart, full.ngramPart]] as const) {
        assert.deepEqual([mine.suggestions, mine.charsShown, mine.charsRight], [theirs.suggestions, theirs.charsShown, theirs.charsRight], `threshold ${threshold}`);
        assert.equal(mine.precision, Number(theirs.precision.toFixed(4)));
        assert.equal(mine.recall, Number(theirs.recall.toFixed(4)));
      }
      assert.ok(full.inkling.curve.length > 1, 'the evaluation also has its curve');
    }
    assert.ok(heldOutGhostText(kernels, m, workspaceParts(train), [], { threshold: 0.4 }) === null, 'no held-out text, no figures');
  });

  it('the prose cut is made on the continuation the worker generates, in the evaluation as in the worker', () => {
    // Full: "items emitted by the source", a run of prose (cut after its first word). Generated only while sure (as the
    // worker does): "items emitted " and the first unsure character, no four-word run: the worker shows two words.
    const text = 'items emitted by the source';
    const c = cont(text, [...text].map((_, i) => (i < 14 ? 0.9 : 0.1)), false);
    const worker = upToThreshold(c, 0.5);
    assert.equal(worker.text, 'items emitted b');
    assert.equal(confidentText(forCursor(c, 'const a = ', 'typescript'), 0.5).text, 'items', 'cut on the full continuation');
    assert.equal(shownText(worker, 0.5, 'const a = ', 'typescript').text, 'items emitted');
    assert.equal(shownText(c, 0.5, 'const a = ', 'typescript').text, 'items emitted', 'the evaluation shows what the worker shows');
  });

  it('inkling train\'s samples are what the extension shows: typed start of a line, ghost text or nothing', () => {
    const kernels = new JsKernels();
    const samples = ghostTextSamples(kernels, model(), workspaceParts(train), held, { threshold: 0.4, source: 'ngram', count: 3 });
    assert.equal(samples.length, 3);
    for (const s of samples) {
      const file = held.find((h) => h.path === s.path)!;
      const line = file.text.split('\n')[s.line - 1]!;
      assert.equal(s.typed + s.real, line, 'typed and real make the line');
      assert.ok(!s.shown.includes('\n'));
    }
    // The n-gram part has read the training files: the repeated code line is recalled.
    assert.ok(samples.some((s) => s.shown.length > 0 && s.real.startsWith(s.shown)), JSON.stringify(samples));
  });

  it('the dashboard shows the figures of the model that suggests and of the other', () => {
    const g = heldOutGhostText(new JsKernels(), model(), workspaceParts(train), held, { threshold: 0.4, typingChars: 300 })!;
    const heldOut = { chars: 100, mixedBitsPerChar: 2, lstmBitsPerChar: 3, ngramBitsPerChar: 1.5, unknownChars: 0, ghostText: g };
    const info = {
      config: { cell: 'lstm' as const, layers: 1, units: 16, embeddingSize: 8, dropout: 0, vocabSize: 30 }, parameters: 1, validationBitsPerChar: 3,
      trainedSteps: 1, trainedSec: 60, createdAt: '', kernels: 'js', heldOut, suggests: { source: 'ngram' as const, why: 'the n-gram/match model alone' },
    };
    const v = toGhostTextView(info)!;
    assert.equal(v.source, 'ngram');
    assert.deepEqual([v.ngramPart.precision, v.ngramPart.recall, v.ngramPart.charsShown], [g.ngramPart.precision, g.ngramPart.recall, g.ngramPart.charsShown]);
    assert.equal(v.typedChars, g.typedChars);
    assert.equal(toGhostTextView({ ...info, heldOut: { ...heldOut, ghostText: undefined } }), null, 'an older record has none');
  });
});
