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
  /** Releases workers and memory. The kernel set is unusable afterwards. */
  dispose(): void;
}

/** A weight matrix quantized by {@link Kernels.quantize}: `[k, n]`, opaque otherwise. */
export interface QuantizedMatrix {
  readonly k: number;
  readonly n: number;
}
