/**
 * Ghost text as a person pays for it (eval/suggestions.ts) for Inkling (the mixture the extension suggests from)
 * and for its n-gram/match part alone (what is shown before any training, or when the trained model is not
 * measured to help), over the workspace's models built from training text as the completion worker builds them
 * from the workspace. `inkling eval` reports these (with the threshold curve); the end of a training run stores the
 * figures at the user's threshold for the held-out files, which the dashboard shows.
 */
import type { SavedModel } from '../engine/format';
import type { Kernels } from '../engine/kernels/types';
import { Predictor } from '../engine/predictor';
import { Vocabulary } from '../engine/vocab';
import { HeldOutProbe, MatchModel, MixedPredictor, type MixOptions } from '../mix';
import { runNow, type Steps } from '../shared/steps';
import { NGramModel } from '../ngram';
import type { HeldOutGhostText, GhostTextFigures } from '../shared/progress';
import { proposerOf } from './suggesters';
import { DEFAULT_READ_COST, languageOf, suggestionReportSteps, typedSegments, type PersonFigures, type Segment, type SuggestionReport } from './suggestions';
import { shownText } from '../engine/confident';
import { trimSuggestion } from '../shared/completionRules';

export type { HeldOutGhostText, GhostTextFigures };

/** The workspace's n-gram model (with what its last files scored before it read them) and match model. */
export interface WorkspaceParts {
  ngram: NGramModel;
  ngramBits: number | null;
  match: MatchModel;
  /** The workspace's characters: the vocabulary of the n-gram/match part alone. */
  vocab: Vocabulary;
}

/** Builds the parts from `texts` in order (as the worker's index and `inkling eval --train` do). */
export function workspaceParts(texts: readonly string[]): WorkspaceParts {
  return runNow(workspacePartsSteps(texts));
}

/** {@link workspaceParts} as steps (one per text read into each model). */
export function* workspacePartsSteps(texts: readonly string[]): Steps<WorkspaceParts> {
  const ngram = new NGramModel();
  // What the last texts score before they are read (as addScoringTail does), one text per step.
  const probe = new HeldOutProbe(texts.reduce((a, t) => a + t.length, 0));
  for (const t of texts) {
    probe.add(ngram, t);
    yield;
  }
  const match = new MatchModel();
  for (const t of texts) {
    match.addText(t);
    yield;
  }
  return { ngram, ngramBits: probe.bitsPerChar, match, vocab: Vocabulary.fromText([...texts]) };
}

export interface GhostTextOptions {
  threshold: number;
  /** @default DEFAULT_READ_COST */
  readCost?: number;
  /** @default logistic mixing with the SSE stage */
  mixing?: MixOptions['mixing'];
  sse?: boolean;
  /**
   * The precision/recall curve over the thresholds (every continuation then runs to the length cap). Without it
   * only the figures at `threshold` are computed, generating as far as the worker does, which is much cheaper.
   * @default true
   */
  curve?: boolean;
}

/**
 * Ghost text over `segments` for Inkling and its n-gram/match part alone. The parts are not changed (each model
 * learns from what it reads, as in the extension, on its own copy).
 */
export function ghostTextReports(
  kernels: Kernels, model: SavedModel, parts: WorkspaceParts, segments: Segment[], opts: GhostTextOptions,
): { inkling: SuggestionReport; ngramPart: SuggestionReport } {
  return runNow(ghostTextReportsSteps(kernels, model, parts, segments, opts));
}

function* ghostTextReportsSteps(
  kernels: Kernels, model: SavedModel, parts: WorkspaceParts, segments: Segment[], opts: GhostTextOptions,
): Steps<{ inkling: SuggestionReport; ngramPart: SuggestionReport }> {
  const readCost = opts.readCost ?? DEFAULT_READ_COST;
  const curve = opts.curve ?? true;
  const minConfidence = curve ? undefined : opts.threshold;
  const thresholds = curve ? undefined : [];
  const sse = opts.sse ?? true;
  // The starting mixing weights, as the extension sets them: the LSTM's validation score and the n-gram part's
  // score on the last part of the workspace text (never the held-out text).
  const prior = { lstmBits: model.meta.training?.validationBitsPerChar ?? null, ngramBits: parts.ngramBits };
  const mixed = new MixedPredictor(new Predictor(kernels, model.config, model.weights), model.vocab, parts.ngram.clone(), undefined, parts.match.clone(), { mixing: opts.mixing, prior, sse });
  const inkling = yield* suggestionReportSteps(segments, proposerOf(mixed, model.vocab, undefined, { learnText: (t) => mixed.learnText(t), minConfidence }), opts.threshold, readCost, thresholds);
  const alone = new MixedPredictor(null, parts.vocab, parts.ngram.clone(), undefined, parts.match.clone(), { mixing: opts.mixing, sse });
  const ngramPart = yield* suggestionReportSteps(segments, proposerOf(alone, parts.vocab, undefined, { learnText: (t) => alone.learnText(t), minConfidence }), opts.threshold, readCost, thresholds);
  return { inkling, ngramPart };
}

/** The n-gram and match models read at most this much training text (as the completion worker's index). */
const MAX_WORKSPACE_CHARS = 4 << 20;
/** Characters typed in the held-out files at the end of a training run. */
export const HELD_OUT_TYPED_CHARS = 3000;

/** The training texts the workspace parts are built from at the end of a run: in order, up to the index's cap. */
export function workspaceTexts(trainTexts: readonly string[]): string[] {
  const texts: string[] = [];
  let read = 0;
  for (const t of trainTexts) {
    if (read + t.length > MAX_WORKSPACE_CHARS) continue;
    read += t.length;
    texts.push(t);
  }
  return texts;
}

function summary(f: PersonFigures): GhostTextFigures {
  const r4 = (x: number): number => Number(x.toFixed(4));
  return {
    suggestions: f.suggestions, charsShown: f.charsShown, charsRight: f.charsRight, precision: r4(f.precision), recall: r4(f.recall),
    fullAcceptRate: r4(f.fullAcceptRate), keystrokesSaved: r4(f.keystrokesSaved),
  };
}

/**
 * The end of a training run: ghost text at `threshold` on the held-out files, typed as `inkling eval` types them
 * (the middle of each file in turn, `typingChars` in all), for the trained model in the mixture and for the
 * n-gram/match part alone, over `parts` (see {@link workspaceParts} and {@link workspaceTexts}). Null without
 * held-out text.
 */
export function heldOutGhostText(
  kernels: Kernels, model: SavedModel, parts: WorkspaceParts, heldOut: readonly { path: string; text: string }[],
  opts: { threshold: number; typingChars?: number },
): HeldOutGhostText | null {
  return runNow(heldOutGhostTextSteps(kernels, model, parts, heldOut, opts));
}

/** {@link heldOutGhostText} as steps (one per position typed). */
export function* heldOutGhostTextSteps(
  kernels: Kernels, model: SavedModel, parts: WorkspaceParts, heldOut: readonly { path: string; text: string }[],
  opts: { threshold: number; typingChars?: number },
): Steps<HeldOutGhostText | null> {
  const segments = typedSegments([...heldOut], opts.typingChars ?? HELD_OUT_TYPED_CHARS);
  if (segments.length === 0) return null;
  const r = yield* ghostTextReportsSteps(kernels, model, parts, segments, { threshold: opts.threshold, curve: false });
  return {
    confidence: opts.threshold, typedChars: segments.reduce((a, s) => a + s.end - s.start, 0), files: segments.length,
    inkling: summary(r.inkling), ngramPart: summary(r.ngramPart),
  };
}

/** One place in a held-out file where the user has typed the first characters of a line, and what was shown there. */
export interface GhostTextSample {
  path: string;
  /** 1-based line number. */
  line: number;
  /** What is typed on the line (its indentation and first characters). */
  typed: string;
  /** The ghost text shown ('' when the model was not sure enough to show anything). */
  shown: string;
  /** The rest of the line in the file. */
  real: string;
}

/**
 * What the extension would show at `count` line starts spread evenly over the held-out files (lines of code with at
 * least a dozen characters after the indentation, not comments), after the first `typedChars` characters of each,
 * from the model that suggests (the mixture, or the n-gram/match part alone when `source` says so), at `threshold`:
 * the same proposer, cuts and trimming as the extension, each file's text before the line given to the models as
 * the extension gives them an open document. For `inkling train` (and so `npm start`) to show the product as it is.
 */
export function ghostTextSamples(
  kernels: Kernels, model: SavedModel, parts: WorkspaceParts, heldOut: readonly { path: string; text: string }[],
  opts: { threshold: number; source: 'mixed' | 'ngram'; count?: number; typedChars?: number },
): GhostTextSample[] {
  const count = opts.count ?? 6;
  const typedChars = opts.typedChars ?? 3;
  const candidates: { file: number; line: number; offset: number }[] = [];
  heldOut.forEach((f, file) => {
    let offset = 0;
    f.text.split('\n').forEach((l, line) => {
      const body = l.trimStart();
      if (body.length >= 12 && !/^(\/\/|\/\*|\*|#)/.test(body) && offset > 0) candidates.push({ file, line, offset });
      offset += l.length + 1;
    });
  });
  const picked = Array.from({ length: Math.min(count, candidates.length) }, (_, n) => candidates[Math.floor(((n + 0.5) * candidates.length) / Math.min(count, candidates.length))]!);
  const prior = { lstmBits: model.meta.training?.validationBitsPerChar ?? null, ngramBits: parts.ngramBits };
  const predictor = opts.source === 'mixed'
    ? new MixedPredictor(new Predictor(kernels, model.config, model.weights), model.vocab, parts.ngram.clone(), undefined, parts.match.clone(), { prior })
    : new MixedPredictor(null, parts.vocab, parts.ngram.clone(), undefined, parts.match.clone());
  const vocab = opts.source === 'mixed' ? model.vocab : parts.vocab;
  const proposer = proposerOf(predictor, vocab, undefined, { learnText: (t) => predictor.learnText(t), minConfidence: opts.threshold });
  return picked.map((p) => {
    const f = heldOut[p.file]!;
    const lineEnd = f.text.indexOf('\n', p.offset);
    const lineText = f.text.slice(p.offset, lineEnd < 0 ? f.text.length : lineEnd);
    const indent = /^[ \t]*/.exec(lineText)![0];
    const typed = lineText.slice(0, indent.length + typedChars);
    const at = p.offset + typed.length;
    const seg: Segment = { doc: f.path, languageId: languageOf(f.path), text: f.text, start: p.offset, end: at };
    proposer.open(seg);
    const c = proposer.propose(seg, f.text.slice(0, at));
    const shown = trimSuggestion(shownText(c, opts.threshold, typed, seg.languageId).text, { multiline: false, indent });
    return { path: f.path, line: p.line + 1, typed, shown, real: lineText.slice(typed.length) };
  });
}
