/**
 * `inkling eval <modelDir> <folder> [--train <folder>]`: held-out bits per character of the text files in a folder,
 * keystroke savings of a simulated user typing them (with the extension's own suggestion rules), suggestion
 * latency, and the same figures for baselines computed in the same run: an n-gram model (Kneser-Ney) trained on
 * `--train`, and xz / PPMd conditional bits per character given the training text. The LSTM is scored as the
 * extension runs it (its output layer learning from each character it reads, see `PredictorOptions.adaptRate`)
 * and with its weights fixed (`static`).
 */
import path from 'node:path';
import { collectCorpus } from '../corpus';
import { DOCUMENT_SEPARATOR, evaluateText, loadModel } from '../engine';
import { Predictor } from '../engine/predictor';
import { MatchModel, MixedPredictor, scoreMixed, type Mixing } from '../mix';
import { Vocabulary } from '../engine/vocab';
import { defaultSettings } from '../shared/settings';
import { DEFAULT_READ_COST, suggestionReport, typedSegments, type SuggestionReport } from '../eval/suggestions';
import { proposerOf } from '../eval/suggesters';
import { addScoringTail } from '../mix/prior';
import { createKernels } from '../engine/kernels';
import { percentile } from '../shared/percentile';
import { coldContextStudy, type ColdContextRow } from '../eval/coldContext';
import { conditionalBitsPerChar } from '../eval/compressors';
import { savings, simulateTyping } from '../eval/keystrokes';
import { modelSuggester, ngramSuggester } from '../eval/suggesters';
import { NGramModel } from '../ngram';
import { list, num, parse, str } from './args';
import { UsageError } from './errors';

async function folderText(folder: string, v: Record<string, unknown>): Promise<{ text: string; files: number; texts: string[]; named: { path: string; text: string }[] }> {
  const report = await collectCorpus(folder, {
    include: list(v, 'include'), exclude: list(v, 'exclude'), maxFileBytes: num(v, 'max-file-bytes'),
  });
  if (report.files.length === 0) throw new UsageError(`no usable text files in ${folder}`);
  const texts = report.files.map((f) => f.text);
  return { text: texts.join(DOCUMENT_SEPARATOR), files: texts.length, texts, named: report.files.map((f) => ({ path: f.path, text: f.text })) };
}

const r4 = (x: number): number => Number(x.toFixed(4));
const pc = (x: number): string => `${(x * 100).toFixed(1)}%`;

function suggestionJson(rep: SuggestionReport): Record<string, unknown> {
  const fig = (f: SuggestionReport['curve'][number]): Record<string, number> => ({
    threshold: f.threshold, suggestions: f.suggestions, charsShown: f.charsShown, charsRight: f.charsRight,
    precision: r4(f.precision), recall: r4(f.recall), fullAcceptRate: r4(f.fullAcceptRate), keystrokesSaved: r4(f.keystrokesSaved),
    meanShown: r4(f.meanShown),
  });
  return {
    ...fig(rep), readCost: rep.readCost, curve: rep.curve.map(fig),
    reliability: rep.reliability.map((row) => ({ from: row.from, to: r4(row.to), suggestions: row.suggestions, predicted: r4(row.predicted), observed: r4(row.observed) })),
  };
}

export async function evalCommand(argv: string[]): Promise<void> {
  const { values: v, positionals } = parse(argv, {
    'max-chars': { type: 'string' },
    'typing-chars': { type: 'string' },
    'max-file-bytes': { type: 'string' },
    train: { type: 'string' },
    include: { type: 'string', multiple: true },
    exclude: { type: 'string', multiple: true },
    'cold-contexts': { type: 'string' },
    'cold-samples': { type: 'string' },
    json: { type: 'boolean' },
    confidence: { type: 'string' },
    'read-cost': { type: 'string' },
    mixing: { type: 'string' },
    sse: { type: 'string' },
  });
  if (positionals.length !== 2) throw new UsageError('usage: inkling eval <modelDir> <folder> [--train <folder>] [--max-chars N] [--typing-chars N] [--cold-contexts 64,128,...] [--json]');
  const model = await loadModel(positionals[0]!);
  const folder = path.resolve(positionals[1]!);
  const held = await folderText(folder, v);
  const maxChars = num(v, 'max-chars');
  const typingChars = num(v, 'typing-chars') ?? 5000;
  const test = maxChars ? held.text.slice(0, maxChars) : held.text;
  const typed = test.slice(0, typingChars);
  const log = (s: string): void => { if (!v.json) process.stderr.write(`${s}\n`); };

  // The workspace n-gram model Inkling mixes with the LSTM: built from the training folder when given (as the
  // extension builds it from the workspace), else empty (it then learns only from the text as it is read).
  const trainFolder = str(v, 'train');
  const train = trainFolder ? await folderText(path.resolve(trainFolder), v) : null;
  const ngram = new NGramModel();
  const ngramBits = train ? addScoringTail(ngram, train.texts) : null;
  // Inkling's own copy of the workspace for long-range matches (as the extension keeps one); each use learns, so
  // each gets a copy.
  const matches = new MatchModel();
  if (train) for (const t of train.texts) matches.addText(t);
  const workspaceMatches = (): MatchModel => matches.clone();

  const threshold = num(v, 'confidence') ?? defaultSettings().confidence;
  const readCost = num(v, 'read-cost') ?? DEFAULT_READ_COST;
  if (!(threshold >= 0 && threshold <= 1)) throw new UsageError('--confidence must be from 0 to 1');
  if (!(readCost >= 0)) throw new UsageError('--read-cost must be 0 or more');
  const mixingArg = str(v, 'mixing') ?? 'logistic';
  if (mixingArg !== 'logistic' && mixingArg !== 'linear') throw new UsageError('--mixing must be logistic or linear');
  const mixing: Mixing = mixingArg;
  // The starting mixing weights, as the extension sets them: the LSTM's validation score and the n-gram part's
  // score on the last part of the workspace text (never the held-out text).
  const prior = { lstmBits: model.meta.training?.validationBitsPerChar ?? null, ngramBits };
  const sseArg = str(v, 'sse') ?? 'on';
  if (sseArg !== 'on' && sseArg !== 'off') throw new UsageError('--sse must be on or off');
  const mixOptions = { mixing, prior, sse: sseArg === 'on' };

  const single = (await createKernels({ threads: 1 })).kernels;
  const t0 = performance.now();
  // As the extension runs it: the LSTM's output layer adapts to the text as it is read (dynamic evaluation).
  const r = scoreMixed(new MixedPredictor(new Predictor(single, model.config, model.weights), model.vocab, ngram.clone(), undefined, workspaceMatches(), mixOptions), test);
  // The same with the LSTM's weights fixed (the n-gram and match models still learn as they read).
  const rStatic = scoreMixed(new MixedPredictor(new Predictor(single, model.config, model.weights, { adaptRate: 0 }), model.vocab, ngram.clone(), undefined, workspaceMatches(), mixOptions), test);
  // The n-gram model alone, learning from the held-out text as it reads it (Inkling's n-gram part without matches).
  const ngramAdaptive = ngram.bitsPerChar(test, { adaptive: true, history: '\n' });
  // The LSTM's own held-out figure as validation measures it: characters outside its vocabulary apart.
  const own = evaluateText(single, model, test);
  const oovLine = own.unknownChars > 0
    ? `${own.unknownChars} of ${own.chars} characters are outside the model's vocabulary (${own.unknownBitsEach.toFixed(1)} bits each to the LSTM); ` +
      `over the others the LSTM alone scores ${own.knownBitsPerChar.toFixed(3)} bits/char`
    : `no characters outside the model's vocabulary; the LSTM alone scores ${own.knownBitsPerChar.toFixed(3)} bits/char`;
  log(`Inkling: ${r.bitsPerChar.toFixed(3)} bits/char over ${r.chars} characters of ${held.files} file(s) ` +
    `(LSTM alone ${r.lstmBitsPerChar.toFixed(3)}, n-gram with matches ${r.ngramBitsPerChar.toFixed(3)}, adaptive n-gram alone ${ngramAdaptive.toFixed(3)}); ` +
    `with the LSTM's weights fixed: ${rStatic.bitsPerChar.toFixed(3)} (LSTM alone ${rStatic.lstmBitsPerChar.toFixed(3)})`);
  log(`  the LSTM adds ${(r.ngramBitsPerChar - r.bitsPerChar).toFixed(3)} bits/char to the n-gram and match models (${(rStatic.ngramBitsPerChar - rStatic.bitsPerChar).toFixed(3)} with its weights fixed)`);
  log(`  ${oovLine} (batched, as validation scores)`);
  const typing = simulateTyping(typed, () => modelSuggester(single, model, undefined, ngram.clone(), workspaceMatches(), mixOptions));
  // Ghost text as a person pays for it (see eval/suggestions.ts): Inkling, and its n-gram part alone (what is
  // shown before any training: the n-gram and match models over the workspace's characters).
  const mixedNow = new MixedPredictor(new Predictor(single, model.config, model.weights), model.vocab, ngram.clone(), undefined, workspaceMatches(), mixOptions);
  // The typed stretches: from the middle of each held-out file in turn (see typedSegments).
  const segments = typedSegments(held.named, typingChars);
  const inkling = suggestionReport(segments, proposerOf(mixedNow, model.vocab, undefined, (t) => mixedNow.learnText(t)), threshold, readCost);
  const workspaceVocab = Vocabulary.fromText(train ? train.texts : held.texts);
  const ngramOnly = new MixedPredictor(null, workspaceVocab, ngram.clone(), undefined, workspaceMatches(), { mixing, sse: mixOptions.sse });
  const ngramPart = suggestionReport(segments, proposerOf(ngramOnly, workspaceVocab, undefined, (t) => ngramOnly.learnText(t)), threshold, readCost);
  const lstmOnly = suggestionReport(segments, proposerOf(new Predictor(single, model.config, model.weights), model.vocab), threshold, readCost);
  for (const [name, rep] of [['Inkling', inkling], ['n-gram part alone', ngramPart], ['LSTM alone', lstmOnly]] as const) {
    log(`  ${name}, ghost text at confidence ${threshold}: precision ${pc(rep.precision)}, recall ${pc(rep.recall)}, ${rep.suggestions} suggestions of ${rep.meanShown.toFixed(1)} characters, ` +
      `${pc(rep.fullAcceptRate)} right in full, ${pc(rep.keystrokesSaved)} of keystrokes saved net of reading (${readCost} per character shown)`);
  }
  const cold = str(v, 'cold-contexts');
  let coldRows: ColdContextRow[] | undefined;
  if (cold) {
    const contexts = cold.split(',').map((x) => Number(x));
    if (contexts.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError('--cold-contexts takes positive integers, e.g. 64,128,256');
    // The LSTM alone: the context length only matters for its recurrent state (the n-gram and match models read
    // the last few characters), and a mixture that does not learn here would blur the comparison.
    coldRows = coldContextStudy(new Predictor(single, model.config, model.weights), model.vocab, held.texts, { contexts, samples: num(v, 'cold-samples') ?? 100 });
    for (const row of coldRows) {
      log(`  LSTM cold start from ${row.contextChars ? `${row.contextChars} characters` : 'the whole file'}: ${row.bitsPerChar.toFixed(3)} bits/char over the next 64, ` +
        `suggestion right ${(row.suggestionRight * 100).toFixed(1)}%, ${row.meanRightChars.toFixed(2)} characters right on average, ${row.primeMsP50 === null ? 'state carried along the file' : `state built in ${row.primeMsP50.toFixed(1)} ms (p50)`}`);
    }
  }
  single.dispose();
  const s = savings(typing);
  const out: Record<string, unknown> = {
    bitsPerChar: r4(r.bitsPerChar), lstmBitsPerChar: r4(r.lstmBitsPerChar), ngramWithMatchesBitsPerChar: r4(r.ngramBitsPerChar),
    lstmAdds: r4(r.ngramBitsPerChar - r.bitsPerChar),
    static: { bitsPerChar: r4(rStatic.bitsPerChar), lstmBitsPerChar: r4(rStatic.lstmBitsPerChar), lstmAdds: r4(rStatic.ngramBitsPerChar - rStatic.bitsPerChar) },
    chars: r.chars, files: held.files,
    unknownChars: r.unknownChars,
    outOfVocabulary: {
      chars: own.unknownChars, bitsEach: own.unknownChars ? r4(own.unknownBitsEach) : null,
      lstmKnownBitsPerChar: r4(own.knownBitsPerChar), lstmScoredChars: own.chars,
    },
    mixingWeights: r.weights.map((w) => Number(w.toFixed(3))),
    keystrokeSavings: { full: r4(s.full), word: r4(s.word) }, uncutFullAcceptRate: r4(s.fullAcceptRate),
    confidence: threshold, mixing,
    ...suggestionJson(inkling),
    ngramPart: suggestionJson(ngramPart),
    lstmAlone: suggestionJson(lstmOnly),
    typedChars: typed.length, ghostTypedChars: segments.reduce((a, g) => a + g.end - g.start, 0), ghostTypedFiles: segments.length,
    latencyMs: { p50: r4(percentile(typing.latenciesMs, 50)), p95: r4(percentile(typing.latenciesMs, 95)) },
    seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
  };
  if (coldRows) {
    out.coldContext = coldRows.map((row) => ({
      contextChars: row.contextChars, bitsPerChar: r4(row.bitsPerChar), suggestionRight: r4(row.suggestionRight),
      meanRightChars: r4(row.meanRightChars), primeMsP50: row.primeMsP50 === null ? null : r4(row.primeMsP50),
    }));
  }
  log(`  keystroke savings over ${typed.length} typed characters: ${(s.full * 100).toFixed(1)}% (full accept), ${(s.word * 100).toFixed(1)}% (by word); ${(s.fullAcceptRate * 100).toFixed(1)}% of shown suggestions accepted in full`);

  if (train) {
    const ngramTyping = simulateTyping(typed, () => ngramSuggester(ngram));
    const ns = savings(ngramTyping);
    const baselines: Record<string, unknown> = {
      ngram: {
        bitsPerChar: r4(ngram.bitsPerChar(test)), keystrokeSavings: { full: r4(ns.full), word: r4(ns.word) },
        fullAcceptRate: r4(ns.fullAcceptRate),
        latencyMs: { p50: r4(percentile(ngramTyping.latenciesMs, 50)), p95: r4(percentile(ngramTyping.latenciesMs, 95)) },
      },
      // The same n-gram model learning from the held-out text as it is read (as Inkling's own n-gram part does).
      ngramAdaptive: { bitsPerChar: r4(ngramAdaptive) },
    };
    for (const tool of ['xz', 'ppmd'] as const) {
      const bits = await conditionalBitsPerChar(train.text, test, tool);
      baselines[tool] = typeof bits === 'number' ? { bitsPerChar: r4(bits) } : bits;
    }
    out.baselines = baselines;
    log(`  baselines: ${JSON.stringify(baselines)}`);
  }
  if (v.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else process.stdout.write(`${out.bitsPerChar} bits/char over ${out.chars} characters of ${out.files} file(s)\n`);
}
