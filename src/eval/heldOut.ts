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
  bitsPerChar: number;
  /** Characters scored. */
  chars: number;
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
  return scorer ? { bitsPerChar: scorer.bitsPerChar(model.weights), chars: scorer.chars } : { bitsPerChar: Number.NaN, chars: 0 };
}
