/** Held-out bits per character of a text under a model, on the batched training network (forward only). */
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

/** Scores `text` (at most `maxChars` of it) with a {@link StreamScorer}. */
export function evaluateText(
  kernels: Kernels, model: SavedModel, text: string, opts: { maxChars?: number; batch?: number; seqLength?: number } = {},
): EvalResult {
  const tokens = model.vocab.encode(opts.maxChars ? text.slice(0, opts.maxChars + 1) : text);
  const T = Math.max(1, Math.min(opts.seqLength ?? 64, tokens.length - 1));
  const scorer = StreamScorer.create(kernels, model.config, tokens, opts.batch ?? 16, T);
  if (!scorer) return { bitsPerChar: Number.NaN, chars: 0, knownBitsPerChar: Number.NaN, unknownChars: 0, unknownBitsEach: Number.NaN };
  const s = scorer.score(model.weights);
  const all = (s.bitsPerChar * s.knownChars + (s.unknownChars ? s.unknownBitsEach * s.unknownChars : 0)) / scorer.chars;
  return { bitsPerChar: all, chars: scorer.chars, knownBitsPerChar: s.bitsPerChar, unknownChars: s.unknownChars, unknownBitsEach: s.unknownBitsEach };
}
