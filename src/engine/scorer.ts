/**
 * Scores a token stream in bits per character with the batched network, forward only: the text is cut into
 * `batch` parallel streams of `seqLength`-character chunks, state carried along each stream (the first
 * character of each stream has no context). Used by validation during training and by `inkling eval`.
 */
import { fittingBatch, StreamBatcher } from './batches';
import type { ModelConfig } from '../shared/modelConfig';
import type { Kernels } from './kernels/types';
import { Network } from './network';

export class StreamScorer {
  private readonly net: Network;
  private readonly batcher: StreamBatcher;
  /** Characters scored per call. */
  readonly chars: number;

  private constructor(kernels: Kernels, config: ModelConfig, tokens: Int32Array, batch: number, seqLength: number) {
    this.net = new Network(kernels, { ...config, dropout: 0 }, batch, seqLength);
    this.batcher = new StreamBatcher(tokens, batch, seqLength);
    this.chars = this.batcher.batchesPerPass * batch * seqLength;
  }

  /** A scorer, or null when there are too few tokens for one batch of `seqLength`. */
  static create(kernels: Kernels, config: ModelConfig, tokens: Int32Array, batch: number, seqLength: number): StreamScorer | null {
    const b = fittingBatch(tokens.length, batch, seqLength);
    return b < 1 ? null : new StreamScorer(kernels, config, tokens, b, seqLength);
  }

  /** Mean bits per character of the stream under `weights` (flat, paramLayout order). */
  bitsPerChar(weights: Float32Array): number {
    this.net.params.flat.set(weights);
    this.net.resetState();
    let nats = 0;
    for (let k = 0; k < this.batcher.batchesPerPass; k++) {
      this.batcher.fill(k);
      nats += this.net.evaluate(this.batcher.ids, this.batcher.targets);
    }
    return nats / this.chars / Math.LN2;
  }
}
