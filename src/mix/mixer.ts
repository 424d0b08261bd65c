/**
 * Online linear mixing of two next-character distributions: the LSTM's and the n-gram model's.
 *
 * P(c) = w·P_lstm(c) + (1 − w)·P_ngram(c), where the weight depends on a small context: the longest n-gram
 * context that matched (a long match means the n-gram is recalling text it has seen, such as an identifier;
 * no match means only the LSTM's generalisation can help) and how sure the n-gram model is. Each weight is the sigmoid of a logit that
 * follows the gradient of the log loss on the text the user really writes, so the mixture shifts toward the
 * LSTM as it trains and toward the n-gram where the workspace repeats itself.
 */

export interface MixerOptions {
  /** Number of contexts with their own weight. */
  buckets: number;
  /** Step size on the logit per character. @default 0.1 */
  rate?: number;
  /** Starting logit of every weight (0 = equal weights). @default 0 */
  initial?: number;
}

export class Mixer {
  readonly buckets: number;
  private readonly rate: number;
  private readonly logits: Float64Array;
  private readonly weights: Float64Array;

  constructor(options: MixerOptions) {
    if (!Number.isInteger(options.buckets) || options.buckets < 1 || options.buckets > 4096) {
      throw new RangeError(`Mixer: buckets must be an integer in 1..4096, got ${options.buckets}`);
    }
    this.buckets = options.buckets;
    this.rate = options.rate ?? 0.1;
    this.logits = new Float64Array(this.buckets).fill(options.initial ?? 0);
    this.weights = new Float64Array(this.buckets).fill(sigmoid(options.initial ?? 0));
  }

  /** The LSTM's weight in `bucket` (the n-gram gets the rest). */
  weight(bucket: number): number {
    return this.weights[this.clampBucket(bucket)]!;
  }

  /** Mixed probability of a character the two models gave `pLstm` and `pNgram`. */
  mix(bucket: number, pLstm: number, pNgram: number): number {
    const w = this.weight(bucket);
    return w * pLstm + (1 - w) * pNgram;
  }

  /** Learns from one observed character: a gradient step on −log P(c) with respect to the bucket's logit. */
  update(bucket: number, pLstm: number, pNgram: number): void {
    const b = this.clampBucket(bucket);
    const w = this.weights[b]!;
    const p = w * pLstm + (1 - w) * pNgram;
    if (!(p > 0) || !Number.isFinite(p)) return;
    // d(log p)/d(logit) = w(1 − w)(pLstm − pNgram) / p; bounded so one surprising character cannot swing it.
    const g = Math.max(-4, Math.min(4, (w * (1 - w) * (pLstm - pNgram)) / p));
    const s = Math.max(-8, Math.min(8, this.logits[b]! + this.rate * g));
    this.logits[b] = s;
    this.weights[b] = sigmoid(s);
  }

  /** The weights, for display and tests. */
  snapshot(): number[] {
    return [...this.weights];
  }

  private clampBucket(bucket: number): number {
    return bucket < 0 ? 0 : bucket >= this.buckets ? this.buckets - 1 : bucket | 0;
  }
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
