/**
 * The compute kernels the engine's own training and inference path runs on.
 *
 * All matrices are row-major float32. Buffers passed to a kernel must come from that kernel set's
 * {@link Kernels.alloc} (or be sub-arrays of such a buffer): a WebAssembly implementation reads them in place
 * from its own linear memory, so a plain `new Float32Array()` is not accepted there.
 */
export interface Kernels {
  /** Short name shown to users, e.g. `js` or `wasm-simd x2`. */
  readonly name: string;
  /** Threads the kernels use (1 for single-threaded). */
  readonly threads: number;
  /** A zero-filled float32 buffer of `length` elements that these kernels can operate on. */
  alloc(length: number): Float32Array;
  /** Returns a buffer from {@link alloc} to the pool (optional to call; the arena may reuse it). */
  free(buf: Float32Array): void;
  /**
   * General matrix multiply: `C = op(A) · op(B) + (accumulate ? C : 0)`.
   *
   * - `op(A)` is `[m, k]`: A is stored `[m, k]` with row stride `lda` (or `[k, m]` if `transA`).
   * - `op(B)` is `[k, n]`: B is stored `[k, n]` with row stride `ldb` (or `[n, k]` if `transB`).
   * - `C` is `[m, n]` with row stride `ldc`.
   * Strides are in elements and let callers address column blocks of a wider matrix.
   * - `a`, `b`, `c` start at element [0][0] of their matrix (pass a `subarray` for an offset); C must not
   *   overlap A or B. With `accumulate` false, C's old contents are never read (NaN there does not leak).
   * - Throws a `RangeError` when a size is not a non-negative integer, a stride is smaller than the stored
   *   row length, or a matrix does not fit in its buffer.
   */
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    a: Float32Array, lda: number, b: Float32Array, ldb: number,
    c: Float32Array, ldc: number, accumulate: boolean,
  ): void;
  /**
   * Optional (batch-1 inference): quantizes the `[k, n]` matrix `w` (row stride `ldw`, default `n`) to int8
   * with one float32 scale per column (symmetric: max|column| / 127). The result lives in these kernels' memory
   * and is valid only with them. See {@link gemvQ}. Kernel sets without it leave both undefined.
   */
  quantize?(w: Float32Array, k: number, n: number, ldw?: number): QuantizedMatrix;
  /**
   * Optional (with {@link quantize}): quantizes `w` again into `q`'s own memory (same `[k, n]`), after the
   * weights changed (rehearsal, see Predictor.rehearse): no new memory per call.
   */
  requantize?(q: QuantizedMatrix, w: Float32Array, ldw?: number): void;
  /**
   * Optional: `y[0:n] = x[0:k] · q + (accumulate ? y : 0)` with `q` from {@link quantize}. `x` is quantized per
   * call to int16 (one symmetric scale; |x_q| is bounded so that the int32 sums cannot overflow), products are
   * summed exactly in int32 and rescaled per column in float32. Every implementation rounds identically, so
   * kernel sets agree bit for bit. `x` and `y` are buffers from {@link alloc} (or sub-arrays) and must not overlap.
   */
  gemvQ?(x: Float32Array, q: QuantizedMatrix, y: Float32Array, accumulate: boolean): void;
  /**
   * Optional (batch-1 inference): the element-wise LSTM step of one sequence, like `lstmForward` in cells.ts
   * with B = 1 but leaving `gates` [4H] (pre-activations, TF.js order i, f, c, o) as they are: `c` [H] is the
   * cell state, updated in place, `h` [H] receives the output. Buffers from {@link alloc}. Accurate to about
   * 1e-6 (its exp is not JavaScript's).
   */
  lstmCell?(H: number, gates: Float32Array, c: Float32Array, h: Float32Array): void;
  /**
   * Optional: the rest of a training step (recurrent layers with their cells, softmax + cross-entropy,
   * embedding, bias gradients, gradient norm, Adam) on these kernels' memory and threads. Kernel sets
   * without it are driven by the reference implementation (`referenceTrainOps` in reference.ts: their gemm
   * plus the element-wise code of cells.ts), which defines what every implementation computes.
   */
  readonly train?: TrainOps;
  /** Releases workers and memory. The kernel set is unusable afterwards. */
  dispose(): void;
}

/** A weight matrix quantized by {@link Kernels.quantize}: `[k, n]`, opaque otherwise. */
export interface QuantizedMatrix {
  readonly k: number;
  readonly n: number;
}

/**
 * One recurrent layer's buffers over a batch of `B` sequences of `T` steps (time-major rows, see network.ts).
 * G is the layer's gate width (4H LSTM, 3H GRU, H simple RNN).
 */
export interface RecurrentLayer {
  cell: 'lstm' | 'gru' | 'rnn';
  B: number;
  T: number;
  H: number;
  /** Recurrent kernel [H, G] and bias [G]. */
  U: Float32Array;
  bias: Float32Array;
  /** [T·B, G]: x·W on entry to the forward pass (no bias), the gate activations after it. */
  gates: Float32Array;
  /** [(T+1)·B, H] hidden states; rows 0..B hold the carried state. */
  hs: Float32Array;
  /** LSTM cell states, same layout as hs (null for other cells). */
  cs: Float32Array | null;
  /** GRU r ⊙ hPrev, [T·B, H] (null for other cells). */
  rh: Float32Array | null;
  /** Dropout mask on the layer's output [T·B, H], or null without dropout. */
  mask: Float32Array | null;
  /** The layer's output [T·B, H]: hs rows B.. without a mask, h ⊙ mask with one. */
  out: Float32Array;
}

/** Dropout of a forward pass: keep probability and the seed of the counter-based mask hash. */
export interface DropoutDraw {
  keep: number;
  /** Unsigned 32-bit seed. */
  seed: number;
}

/** Work buffers of {@link TrainOps.recurrentBackward}, [B, H] each. */
export interface RecurrentWork {
  dh: Float32Array;
  dhNext: Float32Array;
  dc: Float32Array;
  drh: Float32Array;
}

/** One Adam update's constants (see optimizer.ts). */
export interface AdamStep {
  beta1: number;
  beta2: number;
  /** lr · √(1 − β2ᵗ) / (1 − β1ᵗ). */
  stepSize: number;
  /** ε · √(1 − β2ᵗ). */
  epsHat: number;
  /** Applied to the gradients first (global-norm clipping). */
  gradScale: number;
}

/**
 * The element-wise and reduction parts of a training step. Buffers (typed-array views included, also the
 * Int32Array ids and targets) come from the owning kernel set's {@link Kernels.alloc}.
 */
export interface TrainOps {
  /** `out[n, :] = table[ids[n], :]` for n < N; rows are E wide. */
  gather(N: number, ids: Int32Array, table: Float32Array, E: number, out: Float32Array): void;
  /** `dTable [V, E] = 0`, then `dTable[ids[n], :] += d[n, :]` for n < N. */
  scatterAdd(N: number, ids: Int32Array, d: Float32Array, E: number, dTable: Float32Array, V: number): void;
  /**
   * All T steps of a layer forward: adds hPrev · U and the bias to `gates`, applies the cell, writes the states
   * to hs (and cs), then the layer's output: with `dropout` a fresh mask (see `dropoutKeep` in reference.ts)
   * and `out = h ⊙ mask`; with a mask but no dropout (evaluation) mask = 1 and out = h.
   */
  recurrentForward(L: RecurrentLayer, dropout: DropoutDraw | null): void;
  /**
   * All T steps of a layer backward, from `dOut` [T·B, H] = dL/d(out): writes `dz` [T·B, G] = dL/d(gate
   * pre-activations) of every step (gradients stop at the batch's first step). Overwrites `work`.
   */
  recurrentBackward(L: RecurrentLayer, dOut: Float32Array, dz: Float32Array, work: RecurrentWork): void;
  /**
   * Rows of `logits` [N, V] get `bias` added and a softmax; returns the summed cross-entropy against
   * `targets` in nats. With `scale` ≠ 0 the rows are overwritten with scale · dL/dlogits (scale = 1/N: the mean).
   */
  softmaxCrossEntropy(N: number, V: number, logits: Float32Array, bias: Float32Array, targets: Int32Array, scale: number): number;
  /** `out[c] = Σ_r m[r, c]` for an [rows, cols] matrix (the bias gradient). */
  columnSums(rows: number, cols: number, m: Float32Array, out: Float32Array): void;
  /** Σ x² (for the global gradient norm). */
  sumSquares(x: Float32Array): number;
  /** One Adam update in place of `params`, `m` and `v` (same length as `grads`). */
  adam(params: Float32Array, grads: Float32Array, m: Float32Array, v: Float32Array, step: AdamStep): void;
}
