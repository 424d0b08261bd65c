/**
 * Held-out bits per character of the LSTM alone, scored the way training validation scores it: the same
 * {@link StreamScorer} (the batched network, forward only) with the model's own batch size and sequence length.
 * It is the figure the dashboard and the status bar show for a model, and `inkling eval` reports it as
 * `validationBitsPerChar`.
 */
import { DEFAULT_TRAIN } from '../shared/modelConfig';
import type { SavedModel } from '../engine/format';
import type { Kernels } from '../engine/kernels/types';
import { StreamScorer } from '../engine/scorer';

export interface EvalResult {
  /** Over every scored character, unknown ones included. */
  bitsPerChar: number;
  /** Characters scored. */
  chars: number;
  /** Over the scored characters the vocabulary knows. */
  knownBitsPerChar: number;
  /** Scored characters outside the vocabulary (counted apart in `knownBitsPerChar`). */
  unknownChars: number;
  /** Mean bits the model gave each unknown character (NaN without any). */
  unknownBitsEach: number;
}

/** Scores `text` (at most `maxChars` of it); NaN over 0 characters when it is too short for one batch. */
export function evaluateText(
  kernels: Kernels, model: SavedModel, text: string, opts: { maxChars?: number; batch?: number; seqLength?: number } = {},
): EvalResult {
  // The shape the model was trained (and validated) with; the defaults for a model file that does not say.
  const trained = model.meta.training?.config;
  const sized = (n: unknown, dflt: number): number => (Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 4096 ? (n as number) : dflt);
  const tokens = model.vocab.encode(opts.maxChars ? text.slice(0, opts.maxChars + 1) : text);
  const T = Math.max(1, Math.min(opts.seqLength ?? sized(trained?.seqLength, DEFAULT_TRAIN.seqLength), tokens.length - 1));
  const scorer = StreamScorer.create(kernels, model.config, tokens, opts.batch ?? sized(trained?.batchSize, DEFAULT_TRAIN.batchSize), T);
  if (!scorer) return { bitsPerChar: Number.NaN, chars: 0, knownBitsPerChar: Number.NaN, unknownChars: 0, unknownBitsEach: Number.NaN };
  const s = scorer.score(model.weights);
  const all = (s.bitsPerChar * s.knownChars + (s.unknownChars ? s.unknownBitsEach * s.unknownChars : 0)) / scorer.chars;
  return { bitsPerChar: all, chars: scorer.chars, knownBitsPerChar: s.bitsPerChar, unknownChars: s.unknownChars, unknownBitsEach: s.unknownBitsEach };
}
