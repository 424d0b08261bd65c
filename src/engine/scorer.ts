/**
 * Scores a token stream in bits per character with the batched network, forward only: the text is cut into
 * `batch` parallel streams of `seqLength`-character chunks, state carried along each stream (the first
 * character of each stream has no context). Used by validation during training and by `inkling eval`.
 */
import { fittingBatch, StreamBatcher } from './batches';
import type { ModelConfig } from '../shared/modelConfig';
import type { Kernels } from './kernels/types';
import { Network } from './network';
import { UNKNOWN_ID } from './vocab';
import { runNow, type Steps } from '../shared/steps';

/** A held-out figure: bits per character over the characters the vocabulary knows, and the unknown ones apart. */
export interface HeldOutScore {
  /** Mean bits per character over the scored characters that are in the vocabulary. */
  bitsPerChar: number;
  /** Scored characters that are in the vocabulary. */
  knownChars: number;
  /** Scored characters outside the vocabulary (the unknown id): not part of `bitsPerChar`. */
  unknownChars: number;
  /** Mean bits the model gave each unknown character (NaN when there were none). */
  unknownBitsEach: number;
}

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

  /** Mean bits per character of the stream under `weights` (flat, paramLayout order), unknown characters included. */
  bitsPerChar(weights: Float32Array): number {
    const s = this.score(weights);
    return (s.bitsPerChar * s.knownChars + (s.unknownChars ? s.unknownBitsEach * s.unknownChars : 0)) / this.chars;
  }

  /** The stream's figure under `weights`, with characters outside the vocabulary counted apart. */
  score(weights: Float32Array): HeldOutScore {
    return runNow(this.scoreSteps(weights));
  }

  /**
   * {@link score} as steps, one per batch: where training shares its thread with completions (the browser's
   * extension host worker), a validation pass is then many short turns instead of one long one (`runSliced`).
   * The network is this scorer's own, so whatever runs between the steps leaves its state alone.
   */
  *scoreSteps(weights: Float32Array): Steps<HeldOutScore> {
    this.net.params.flat.set(weights);
    this.net.resetState();
    let nats = 0;
    let unknownNats = 0;
    let unknown = 0;
    for (let k = 0; k < this.batcher.batchesPerPass; k++) {
      this.batcher.fill(k);
      nats += this.net.evaluate(this.batcher.ids, this.batcher.targets);
      const targets = this.batcher.targets;
      for (let n = 0; n < targets.length; n++) {
        if (targets[n] !== UNKNOWN_ID) continue;
        unknown++;
        unknownNats += this.net.evaluatedNats(n, UNKNOWN_ID);
      }
      yield;
    }
    const known = this.chars - unknown;
    return {
      bitsPerChar: known > 0 ? (nats - unknownNats) / known / Math.LN2 : Number.NaN,
      knownChars: known, unknownChars: unknown,
      unknownBitsEach: unknown > 0 ? unknownNats / unknown / Math.LN2 : Number.NaN,
    };
  }
}
