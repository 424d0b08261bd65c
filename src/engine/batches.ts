/**
 * Cuts a token stream into time-major batches for stateful truncated BPTT: the text is split into `B`
 * contiguous streams; batch `k` holds characters `[k·T, (k+1)·T)` of every stream (targets shifted by one).
 */
export class StreamBatcher {
  readonly batchesPerPass: number;
  private readonly streamLength: number;
  readonly ids: Int32Array;
  readonly targets: Int32Array;

  /** @param offset shifts every stream's start (e.g. a random amount per epoch so boundaries vary). */
  constructor(
    private readonly tokens: Int32Array,
    readonly batch: number,
    readonly seqLength: number,
    private readonly offset = 0,
  ) {
    this.streamLength = Math.floor((tokens.length - offset) / batch);
    this.batchesPerPass = Math.max(0, Math.floor((this.streamLength - 1) / seqLength));
    this.ids = new Int32Array(batch * seqLength);
    this.targets = new Int32Array(batch * seqLength);
  }

  /** Fills {@link ids} and {@link targets} with batch `k` (0 ≤ k < batchesPerPass). */
  fill(k: number): void {
    const { batch: B, seqLength: T } = this;
    for (let b = 0; b < B; b++) {
      const start = this.offset + b * this.streamLength + k * T;
      for (let t = 0; t < T; t++) {
        this.ids[t * B + b] = this.tokens[start + t]!;
        this.targets[t * B + b] = this.tokens[start + t + 1]!;
      }
    }
  }
}

/** Largest batch size ≤ `wanted` that gives at least one full batch of `seqLength` over `length` tokens. */
export function fittingBatch(length: number, wanted: number, seqLength: number): number {
  return Math.max(0, Math.min(wanted, Math.floor((length - 1) / (seqLength + 1))));
}
