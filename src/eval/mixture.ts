/**
 * Bits per character of a text read the way a user writes it: one character at a time, each scored before it
 * is seen and then learned from (the n-gram counts and the mixing weights adapt; the LSTM's output layer too unless
 * its adapt rate is 0, and with `rehearseEvery` all its weights).
 * The LSTM alone and the adaptive n-gram alone are scored in the same pass.
 */
import { REHEARSE_CHARS, REHEARSE_NEW_CHARS } from '../engine/predictor';
import { UNKNOWN_ID } from '../engine/vocab';
import type { MixedPredictor } from '../mix/mixedPredictor';
import { runNow, type Steps } from '../shared/steps';

export interface MixedScore {
  chars: number;
  /** The mixture: what Inkling suggests from. */
  bitsPerChar: number;
  lstmBitsPerChar: number;
  /** The n-gram part (with the match model's share when there is one), learning as it reads. */
  ngramBitsPerChar: number;
  /** Characters outside the LSTM's vocabulary. */
  unknownChars: number;
  /** Rehearsals of the LSTM on what it had read (see {@link ScoreOptions.rehearseEvery}). */
  rehearsals: number;
  /** The LSTM's mixing weight at the end in each bucket (linear: its share; logistic: its exponent). */
  weights: number[];
}

export interface ScoreOptions {
  /**
   * Rehearse (Predictor.rehearse) the last REHEARSE_CHARS characters after every this many read, as the
   * completion worker does when the user pauses after writing that much (0: never). @default 0
   */
  rehearseEvery?: number;
}

/** As the extension runs the mixture: the LSTM rehearses what it read after every REHEARSE_NEW_CHARS characters. */
export const AS_THE_EXTENSION: ScoreOptions = { rehearseEvery: REHEARSE_NEW_CHARS };

/** Scores `text` (code points) after `history` (read, not scored, not learned from). */
export function scoreMixed(mixed: MixedPredictor, text: string, history = '\n', opts: ScoreOptions = {}): MixedScore {
  return runNow(scoreMixedSteps(mixed, text, history, opts));
}

/** {@link scoreMixed} as steps (one per character, and one per rehearsal window). */
export function* scoreMixedSteps(mixed: MixedPredictor, text: string, history = '\n', opts: ScoreOptions = {}): Steps<MixedScore> {
  const every = opts.rehearseEvery ?? 0;
  const lstm = every > 0 && mixed.lstm && mixed.lstm.adaptRate > 0 ? mixed.lstm : null;
  let rehearsals = 0;
  const state = mixed.newState();
  mixed.feed(state, [...history].map((ch) => mixed.idOf(ch)));
  let bits = 0;
  let lstmBits = 0;
  let ngramBits = 0;
  let chars = 0;
  let unknown = 0;
  for (const ch of text) {
    const c = mixed.contributions(state, ch);
    bits -= Math.log2(Math.max(c.mixed, 1e-300));
    lstmBits -= Math.log2(Math.max(c.lstm, 1e-300));
    ngramBits -= Math.log2(Math.max(c.ngram, 1e-300));
    if (mixed.idOf(ch) === UNKNOWN_ID) unknown++;
    chars++;
    mixed.observe(state, ch);
    if (lstm && chars % every === 0) {
      yield* lstm.rehearseSteps(lstm.recent(REHEARSE_CHARS + 1));
      rehearsals++;
    }
    yield;
  }
  const per = (b: number): number => (chars > 0 ? b / chars : Number.NaN);
  return {
    chars, bitsPerChar: per(bits), lstmBitsPerChar: per(lstmBits), ngramBitsPerChar: per(ngramBits),
    unknownChars: unknown, rehearsals, weights: mixed.mixing === 'linear' ? mixed.mixer.snapshot() : mixed.weightSets().map((w) => w[0]!),
  };
}
