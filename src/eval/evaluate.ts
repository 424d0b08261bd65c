/**
 * The evaluation of a model on held-out text, as `inkling eval` reports it (and so the README's quality table,
 * which scripts/quality.mjs makes with `inkling eval --json`): bits per character of the mixture the extension
 * suggests from, of the LSTM alone (also scored as training validation scores it, the figure the dashboard shows,
 * with the dashboard's reading of it), keystrokes saved by a simulated user typing the text with the extension's
 * own suggestion rules, ghost text as a person pays for it (eval/suggestions.ts), suggestion latency, optionally
 * the cold-start context study, and baselines computed in the same run when training text is given: an n-gram
 * model (Kneser-Ney) trained on it, and xz / PPMd conditional bits per character given it.
 */
import type { SavedModel } from '../engine/format';
import { createKernels } from '../engine/kernels';
import { Predictor } from '../engine/predictor';
import { Vocabulary } from '../engine/vocab';
import { MatchModel, MixedPredictor, type Mixing } from '../mix';
import { addScoringTail } from '../mix/prior';
import { NGramModel } from '../ngram';
import { percentile } from '../shared/percentile';
import { describeQuality } from '../shared/quality';
import { defaultSettings } from '../shared/settings';
import { coldContextStudy, type ColdContextRow } from './coldContext';
import { conditionalBitsPerChar } from './compressors';
import { evaluateText } from './heldOut';
import { savings, simulateTyping } from './keystrokes';
import { AS_THE_EXTENSION, scoreMixed } from './mixture';
import { modelSuggester, ngramSuggester, proposerOf } from './suggesters';
import { DEFAULT_READ_COST, suggestionReport, typedSegments, type SuggestionReport } from './suggestions';
import { ghostTextReports } from './ghostText';

/** Text to evaluate on or to train the baselines with. */
export interface EvalText {
  /** The files joined with the engine's document separator. */
  text: string;
  files: number;
  texts: string[];
  /** The files with their paths (relative to the folder). */
  named: { path: string; text: string }[];
}

export interface EvaluateOptions {
  /** Score at most this many held-out characters. */
  maxChars?: number;
  /** Characters the simulated user types. @default 5000 */
  typingChars?: number;
  /** Context lengths of the cold-start study (the LSTM alone); none runs it. */
  coldContexts?: number[];
  /** Positions per context length in the cold-start study. @default 100 */
  coldSamples?: number;
  /** Confidence threshold of the ghost text, 0..1. @default the setting's default */
  confidence?: number;
  /** Keystrokes a person pays to read one character shown. @default DEFAULT_READ_COST */
  readCost?: number;
  /** @default 'logistic' */
  mixing?: Mixing;
  /** Secondary estimation on the mixture. @default true */
  sse?: boolean;
  /** Progress lines for a person (the CLI writes them to stderr). */
  log?: (line: string) => void;
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

/**
 * Evaluates `model` on `held`. `train` (the text the model was trained on, or text like it) is what the workspace
 * n-gram and match models are built from, as the extension builds them from the workspace; without it they start
 * empty and learn only from the held-out text as it is read, and no baselines are computed.
 * @returns the report `inkling eval --json` prints (figures rounded to 4 decimals)
 */
export async function evaluate(model: SavedModel, held: EvalText, train: EvalText | null, opts: EvaluateOptions = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? ((): void => undefined);
  const typingChars = opts.typingChars ?? 5000;
  const test = opts.maxChars ? held.text.slice(0, opts.maxChars) : held.text;
  const typed = test.slice(0, typingChars);
  const ngram = new NGramModel();
  const ngramBits = train ? addScoringTail(ngram, train.texts) : null;
  // Inkling's own copy of the workspace for long-range matches (as the extension keeps one); each use learns, so
  // each gets a copy.
  const matches = new MatchModel();
  if (train) for (const t of train.texts) matches.addText(t);
  const workspaceMatches = (): MatchModel => matches.clone();

  const threshold = opts.confidence ?? defaultSettings().confidence;
  const readCost = opts.readCost ?? DEFAULT_READ_COST;
  const mixing: Mixing = opts.mixing ?? 'logistic';
  // The starting mixing weights, as the extension sets them: the LSTM's validation score and the n-gram part's
  // score on the last part of the workspace text (never the held-out text).
  const prior = { lstmBits: model.meta.training?.validationBitsPerChar ?? null, ngramBits };
  const mixOptions = { mixing, prior, sse: opts.sse ?? true };

  const single = (await createKernels({ threads: 1 })).kernels;
  const t0 = performance.now();
  // As the extension runs it: the LSTM's output layer adapts to the text as it is read (dynamic evaluation), and
  // every 256 characters the LSTM rehearses the last 512 (as the completion worker does when the user pauses).
  const r = scoreMixed(new MixedPredictor(new Predictor(single, model.config, model.weights), model.vocab, ngram.clone(), undefined, workspaceMatches(), mixOptions), test, '\n', AS_THE_EXTENSION);
  // The same with the LSTM's weights fixed (the n-gram and match models and the mixing weights still learn as they read).
  const rStatic = scoreMixed(new MixedPredictor(new Predictor(single, model.config, model.weights, { adaptRate: 0 }), model.vocab, ngram.clone(), undefined, workspaceMatches(), mixOptions), test);
  // The n-gram model alone, learning from the held-out text as it reads it (Inkling's n-gram part without matches).
  const ngramAdaptive = ngram.bitsPerChar(test, { adaptive: true, history: '\n' });
  log(`Inkling: ${r.bitsPerChar.toFixed(3)} bits/char over ${r.chars} characters of ${held.files} file(s) ` +
    `(LSTM alone ${r.lstmBitsPerChar.toFixed(3)}, n-gram with matches ${r.ngramBitsPerChar.toFixed(3)}, adaptive n-gram alone ${ngramAdaptive.toFixed(3)}); ` +
    `with the LSTM's weights fixed: ${rStatic.bitsPerChar.toFixed(3)} (LSTM alone ${rStatic.lstmBitsPerChar.toFixed(3)}); ${r.rehearsals} rehearsals`);
  log(`  the LSTM adds ${(r.ngramBitsPerChar - r.bitsPerChar).toFixed(3)} bits/char to the n-gram and match models (${(rStatic.ngramBitsPerChar - rStatic.bitsPerChar).toFixed(3)} with its weights fixed)`);
  // The LSTM alone as training validation scores it (batched, on all cores).
  const batched = (await createKernels()).kernels;
  const validation = evaluateText(batched, model, test);
  batched.dispose();
  const quality = describeQuality(validation.chars > 0 ? validation.bitsPerChar : null, null);
  log(`  as training validation scores it: ${validation.bitsPerChar.toFixed(3)} bits/char over ${validation.chars} characters (the dashboard's reading: ${quality.level})`);
  log(validation.unknownChars > 0
    ? `  ${validation.unknownChars} of ${validation.chars} characters are outside the model's vocabulary (${validation.unknownBitsEach.toFixed(1)} bits each to the LSTM); ` +
      `over the others the LSTM alone scores ${validation.knownBitsPerChar.toFixed(3)} bits/char`
    : `  no characters outside the model's vocabulary; the LSTM alone scores ${validation.knownBitsPerChar.toFixed(3)} bits/char`);
  const typing = simulateTyping(typed, () => modelSuggester(single, model, undefined, ngram.clone(), workspaceMatches(), mixOptions));
  // Ghost text as a person pays for it (see eval/suggestions.ts): Inkling, and its n-gram part alone (what is
  // shown before any training: the n-gram and match models over the workspace's characters), as the end of a
  // training run measures them on the held-out files (eval/ghostText.ts).
  // The typed stretches: from the middle of each held-out file in turn (see typedSegments).
  const segments = typedSegments(held.named, typingChars);
  const parts = { ngram, ngramBits, match: matches, vocab: Vocabulary.fromText(train ? train.texts : held.texts) };
  const { inkling, ngramPart } = ghostTextReports(single, model, parts, segments, { threshold, readCost, mixing, sse: mixOptions.sse });
  const lstmOnly = suggestionReport(segments, proposerOf(new Predictor(single, model.config, model.weights), model.vocab), threshold, readCost);
  for (const [name, rep] of [['Inkling', inkling], ['n-gram part alone', ngramPart], ['LSTM alone', lstmOnly]] as const) {
    log(`  ${name}, ghost text at confidence ${threshold}: precision ${pc(rep.precision)}, recall ${pc(rep.recall)}, ${rep.suggestions} suggestions of ${rep.meanShown.toFixed(1)} characters, ` +
      `${pc(rep.fullAcceptRate)} right in full, ${pc(rep.keystrokesSaved)} of keystrokes saved net of reading (${readCost} per character shown)`);
  }
  let coldRows: ColdContextRow[] | undefined;
  const contexts = opts.coldContexts;
  if (contexts?.length) {
    // The LSTM alone: the context length only matters for its recurrent state (the n-gram and match models read
    // the last few characters), and a mixture that does not learn here would blur the comparison.
    coldRows = coldContextStudy(new Predictor(single, model.config, model.weights), model.vocab, held.texts, { contexts, samples: opts.coldSamples ?? 100 });
    for (const row of coldRows) {
      log(`  LSTM cold start from ${row.contextChars ? `${row.contextChars} characters` : 'the whole file'}: ${row.bitsPerChar.toFixed(3)} bits/char over the next 64, ` +
        `suggestion right ${(row.suggestionRight * 100).toFixed(1)}%, ${row.meanRightChars.toFixed(2)} characters right on average, ${row.primeMsP50 === null ? 'state carried along the file' : `state built in ${row.primeMsP50.toFixed(1)} ms (p50)`}`);
    }
  }
  single.dispose();
  const s = savings(typing);
  const out: Record<string, unknown> = {
    bitsPerChar: r4(r.bitsPerChar), lstmBitsPerChar: r4(r.lstmBitsPerChar), ngramWithMatchesBitsPerChar: r4(r.ngramBitsPerChar),
    validationBitsPerChar: validation.chars > 0 ? r4(validation.bitsPerChar) : null, quality: quality.level,
    lstmAdds: r4(r.ngramBitsPerChar - r.bitsPerChar),
    static: { bitsPerChar: r4(rStatic.bitsPerChar), lstmBitsPerChar: r4(rStatic.lstmBitsPerChar), lstmAdds: r4(rStatic.ngramBitsPerChar - rStatic.bitsPerChar) },
    chars: r.chars, files: held.files, rehearsals: r.rehearsals,
    unknownChars: r.unknownChars,
    outOfVocabulary: {
      chars: validation.unknownChars, bitsEach: validation.unknownChars ? r4(validation.unknownBitsEach) : null,
      lstmKnownBitsPerChar: validation.chars > 0 ? r4(validation.knownBitsPerChar) : null, lstmScoredChars: validation.chars,
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
  return out;
}
