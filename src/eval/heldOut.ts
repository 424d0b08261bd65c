/** Held-out bits per character of a text under a model, on the batched training network (forward only). */
import type { SavedModel } from '../engine/format';
import type { Kernels } from '../engine/kernels/types';
import { StreamScorer } from '../engine/scorer';

export interface EvalResult {
  bitsPerChar: number;
  /** Characters scored. */
  chars: number;
}

/** Scores `text` (at most `maxChars` of it) with a {@link StreamScorer}. */
export function evaluateText(
  kernels: Kernels, model: SavedModel, text: string, opts: { maxChars?: number; batch?: number; seqLength?: number } = {},
): EvalResult {
  const tokens = model.vocab.encode(opts.maxChars ? text.slice(0, opts.maxChars + 1) : text);
  const T = Math.max(1, Math.min(opts.seqLength ?? 64, tokens.length - 1));
  const scorer = StreamScorer.create(kernels, model.config, tokens, opts.batch ?? 16, T);
  return scorer ? { bitsPerChar: scorer.bitsPerChar(model.weights), chars: scorer.chars } : { bitsPerChar: Number.NaN, chars: 0 };
}
