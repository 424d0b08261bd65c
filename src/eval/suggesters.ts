/**
 * The suggestion the extension would show, as a function of the text before the cursor, for the keystroke
 * simulation: the same context length, per-document state reuse, greedy generation, length limit and
 * end-of-line rule as the provider. Also the n-gram baseline under the same rules.
 */
import { DocumentStates } from '../engine/stateCache';
import { trimSuggestion } from '../shared/completionRules';
import type { SavedModel } from '../engine/format';
import { generate } from '../engine/generate';
import type { Kernels } from '../engine/kernels/types';
import type { Vocabulary } from '../engine/vocab';
import { Predictor, type RecurrentState, type StepModel } from '../engine/predictor';
import { type MatchModel, MixedPredictor, type MixOptions } from '../mix';
import type { NGramModel } from '../ngram';
import type { Suggest } from './keystrokes';
import type { Proposer } from './suggestions';
import { continueWithConfidence } from '../engine/confident';
import { DocumentLines } from '../mix/documentLines';

export interface SuggestRules {
  /** @default 256, as `inkling.completion.contextChars` */
  contextChars: number;
  /** @default 48, as `inkling.completion.maxChars` */
  maxChars: number;
}

export const DEFAULT_RULES: SuggestRules = { contextChars: 256, maxChars: 48 };

function indentOfLastLine(before: string): string {
  const line = before.slice(before.lastIndexOf('\n') + 1);
  return /^[ \t]*/.exec(line)![0];
}

/**
 * Inkling's suggestions: the LSTM, mixed with `ngram` (and `match`) when given (they then learn from the text as
 * it is typed, as in the extension; pass copies to keep the originals unchanged).
 */
export function modelSuggester(
  kernels: Kernels, model: SavedModel, rules: SuggestRules = DEFAULT_RULES, ngram?: NGramModel, match?: MatchModel, mix?: MixOptions,
): Suggest {
  const lstm = new Predictor(kernels, model.config, model.weights);
  return ngram
    ? suggestWith(new MixedPredictor(lstm, model.vocab, ngram, undefined, match ?? null, mix), model.vocab, rules)
    : suggestWith(lstm, model.vocab, rules);
}

function suggestWith<S extends RecurrentState>(predictor: StepModel<S>, vocab: Vocabulary, rules: SuggestRules): Suggest {
  const states = new DocumentStates(predictor, vocab);
  return (before) => {
    const context = before.slice(-rules.contextChars);
    const p = states.prepare('eval', context, before.length <= rules.contextChars);
    const raw = generate(predictor, vocab, p.state, p.probs, { temperature: 0, maxChars: rules.maxChars, stopBefore: (c) => c === '\n' });
    return trimSuggestion(raw, { multiline: false, indent: indentOfLastLine(before) });
  };
}

export function ngramSuggester(ngram: NGramModel, rules: SuggestRules = DEFAULT_RULES): Suggest {
  return (before) => {
    const raw = ngram.complete(before.slice(-rules.contextChars), rules.maxChars, (c) => c === '\n');
    return trimSuggestion(raw, { multiline: false, indent: indentOfLastLine(before) });
  };
}

/** What {@link proposerOf} adds to a {@link Proposer}: a document's text given to the models, as the worker is given it. */
export interface ReplayProposer extends Proposer {
  /** The lines of `text` the models have not read for `doc` go to the n-gram and match models (with `learnText`). */
  observe(doc: string, text: string): void;
}

export interface ProposerOptions {
  /** Gives text (an opened file's lines not yet read) to the n-gram and match models, as the extension gives them open documents. */
  learnText?: (text: string) => void;
  /** Generation stops after the first character below this (as the worker's does): enough for figures at that threshold or above. */
  minConfidence?: number;
  /** Text typed is learned from (false: as in a file training would skip). @default true */
  learnTyped?: boolean;
}

/**
 * The full greedy continuation with confidences at each position (see `eval/suggestions.ts`), from `predictor`
 * (the mixture, the LSTM alone, or the n-gram part alone), with the same context rules and per-document state
 * reuse as the completion worker: text fed as it is typed is learned from (the lines it completes are then counted
 * as read, as the worker counts them), and with `learnText` an opened file's text and observed documents are given
 * to the n-gram and match models as the extension gives them open documents.
 */
export function proposerOf<S extends RecurrentState>(
  predictor: StepModel<S>, vocab: Vocabulary, rules: SuggestRules = DEFAULT_RULES, opts: ProposerOptions = {},
): ReplayProposer {
  const states = new DocumentStates(predictor, vocab);
  const lines = new DocumentLines();
  const learnTyped = opts.learnTyped ?? true;
  return {
    open(seg) {
      opts.learnText?.(lines.newText(seg.doc, seg.text.slice(0, seg.start)));
    },
    observe(doc, text) {
      opts.learnText?.(lines.newText(doc, text));
    },
    propose(seg, before) {
      const context = before.slice(-rules.contextChars);
      const p = states.prepare(seg.doc, context, before.length <= rules.contextChars, learnTyped);
      if (!p.cold && learnTyped) lines.markLearned(seg.doc, context, p.fed);
      // The whole continuation (or as far as `minConfidence`): the prose and confidence cuts are made per threshold
      // (see shownText), as the worker makes them.
      return continueWithConfidence(predictor, vocab, p.state, p.probs, { maxChars: rules.maxChars, stopBefore: (ch) => ch === '\n', minConfidence: opts.minConfidence });
    },
  };
}
