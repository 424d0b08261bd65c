/** Held-out bits per character of a text under a model, on the batched training network (forward only). */
import { fittingBatch, StreamBatcher } from './batches';
import type { SavedModel } from './format';
import type { Kernels } from './kernels/types';
import { Network } from './network';

export interface EvalResult {
  bitsPerChar: number;
  /** Characters scored. */
  chars: number;
}

/**
 * Scores `text` (at most `maxChars` of it) in `batch` parallel streams of `seqLength`-character chunks,
 * carrying state along each stream; the first character of each stream has no context.
 */
export function evaluateText(
  kernels: Kernels, model: SavedModel, text: string, opts: { maxChars?: number; batch?: number; seqLength?: number } = {},
): EvalResult {
  const tokens = model.vocab.encode(opts.maxChars ? text.slice(0, opts.maxChars + 1) : text);
  const T = Math.max(1, Math.min(opts.seqLength ?? 64, tokens.length - 1));
  const B = fittingBatch(tokens.length, opts.batch ?? 16, T);
  if (B < 1) return { bitsPerChar: Number.NaN, chars: 0 };
  const net = new Network(kernels, { ...model.config, dropout: 0 }, B, T);
  net.params.flat.set(model.weights);
  const batcher = new StreamBatcher(tokens, B, T);
  let nats = 0;
  for (let k = 0; k < batcher.batchesPerPass; k++) {
    batcher.fill(k);
    nats += net.evaluate(batcher.ids, batcher.targets);
  }
  const chars = batcher.batchesPerPass * B * T;
  return { bitsPerChar: nats / chars / Math.LN2, chars };
}
