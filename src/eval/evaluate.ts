/**
 * The evaluation of a model on held-out text, as `inkling eval` reports it (and so the README's quality table,
 * which scripts/quality.mjs makes with `inkling eval --json`): bits per character of the mixture the extension
 * suggests from, of the LSTM alone (also scored as training validation scores it, the figure the dashboard shows,
 * with the dashboard's reading of it), keystrokes saved by a simulated user typing the text with the extension's
 * own suggestion rules, suggestion latency, optionally the cold-start context study, and baselines computed in the
 * same run when training text is given: an n-gram model (Kneser-Ney) trained on it, and xz / PPMd conditional
 * bits per character given it.
 */
import type { SavedModel } from '../engine/format';
import { createKernels } from '../engine/kernels';
import { Predictor } from '../engine/predictor';
import { MatchModel, MixedPredictor } from '../mix';
import { NGramModel } from '../ngram';
import { percentile } from '../shared/percentile';
import { describeQuality } from '../shared/quality';
import { coldContextStudy, type ColdContextRow } from './coldContext';
import { conditionalBitsPerChar } from './compressors';
import { evaluateText } from './heldOut';
import { savings, simulateTyping } from './keystrokes';
import { scoreMixed } from './mixture';
import { modelSuggester, ngramSuggester } from './suggesters';

/** Text to evaluate on or to train the baselines with: the files' texts, and all of them joined. */
export interface EvalText {
  /** The files joined with the engine's document separator. */
  text: string;
  texts: string[];
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
  /** Progress lines for a person (the CLI writes them to stderr). */
  log?: (line: string) => void;
}

const r4 = (x: number): number => Number(x.toFixed(4));

/**
 * Evaluates `model` on `held`. `train` (the text the model was trained on, or text like it) is what the workspace
 * n-gram and match models are built from, as the extension builds them from the workspace; without it they start
 * empty and learn only from the held-out text as it is read, and no baselines are computed.
 * @returns the report `inkling eval --json` prints (figures rounded to 4 decimals)
 */
export async function evaluate(model: SavedModel, held: EvalText, train: EvalText | null, opts: EvaluateOptions = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? ((): void => undefined);
  const test = opts.maxChars ? held.text.slice(0, opts.maxChars) : held.text;
  const typed = test.slice(0, opts.typingChars ?? 5000);

  const ngram = new NGramModel();
  if (train) for (const t of train.texts) ngram.add(t);
  // Inkling's own copy of the workspace for long-range matches (as the extension keeps one); each use learns, so
  // each gets a copy.
  const matches = new MatchModel();
  if (train) for (const t of train.texts) matches.addText(t);
  const workspaceMatches = (): MatchModel => matches.clone();

  // One thread, as the completion worker answers.
  const single = (await createKernels({ threads: 1 })).kernels;
  const t0 = performance.now();
  const r = scoreMixed(new MixedPredictor(new Predictor(single, model.config, model.weights), model.vocab, ngram.clone(), undefined, workspaceMatches()), test);
  // The n-gram model alone, learning from the held-out text as it reads it (Inkling's n-gram part without matches).
  const ngramAdaptive = ngram.bitsPerChar(test, { adaptive: true, history: '\n' });
  log(`Inkling: ${r.bitsPerChar.toFixed(3)} bits/char over ${r.chars} characters of ${held.texts.length} file(s) ` +
    `(LSTM alone ${r.lstmBitsPerChar.toFixed(3)}, n-gram with matches ${r.ngramBitsPerChar.toFixed(3)}, adaptive n-gram alone ${ngramAdaptive.toFixed(3)})`);
  // The LSTM alone as training validation scores it (batched, on all cores).
  const batched = (await createKernels()).kernels;
  const validation = evaluateText(batched, model, test);
  batched.dispose();
  const quality = describeQuality(validation.chars > 0 ? validation.bitsPerChar : null, null);
  log(`  as training validation scores it: ${validation.bitsPerChar.toFixed(3)} bits/char over ${validation.chars} characters (the dashboard's reading: ${quality.level})`);
  const typing = simulateTyping(typed, () => modelSuggester(single, model, undefined, ngram.clone(), workspaceMatches()));
  let coldRows: ColdContextRow[] | undefined;
  if (opts.coldContexts?.length) {
    // The LSTM alone: the context length only matters for its recurrent state (the n-gram and match models read
    // the last few characters), and a mixture that does not learn here would blur the comparison.
    coldRows = coldContextStudy(new Predictor(single, model.config, model.weights), model.vocab, held.texts, { contexts: opts.coldContexts, samples: opts.coldSamples ?? 100 });
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
    chars: r.chars, files: held.texts.length,
    unknownChars: r.unknownChars, mixingWeights: r.weights.map((w) => Number(w.toFixed(3))),
    keystrokeSavings: { full: r4(s.full), word: r4(s.word) }, fullAcceptRate: r4(s.fullAcceptRate),
    typedChars: typed.length,
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
