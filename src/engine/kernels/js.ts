import type { Kernels, QuantizedMatrix } from './types';
import { checkGemmArgs } from './checks';
import { checkGemvQArgs, gemvQJs, JsQuantized, quantizeInt8 } from './quantized';

/**
 * Plain TypeScript kernels: the reference implementation and the fallback when WebAssembly SIMD is not
 * available. Sums are accumulated in double precision (JS numbers) and rounded to float32 once per element.
 * Each transpose combination uses the loop order that keeps the innermost loop on unit-stride memory.
 */
export class JsKernels implements Kernels {
  readonly name = 'js';
  readonly threads = 1;
  /** One row of C in double precision, reused across calls. */
  private row = new Float64Array(0);
  /** One column of A (for transA), reused across calls. */
  private col = new Float64Array(0);
  /** Quantized x and the integer sums of gemvQ, reused across calls. */
  private xq = new Int32Array(0);
  private acc = new Float64Array(0);

  alloc(length: number): Float32Array {
    return new Float32Array(length);
  }

  free(_buf: Float32Array): void {
    // Garbage-collected.
  }

  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    a: Float32Array, lda: number, b: Float32Array, ldb: number,
    c: Float32Array, ldc: number, accumulate: boolean,
  ): void {
    checkGemmArgs(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
    if (m === 0 || n === 0) return;
    if (transB) this.gemmDot(transA, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
    else this.gemmAxpy(transA, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
  }

  quantize(w: Float32Array, k: number, n: number, ldw = n): QuantizedMatrix {
    return new JsQuantized(quantizeInt8(w, k, n, ldw), this);
  }

  requantize(q: QuantizedMatrix, w: Float32Array, ldw = q.n): void {
    if (!(q instanceof JsQuantized) || q.owner !== this) throw new Error('requantize: the matrix was not quantized by these kernels');
    const m = quantizeInt8(w, q.k, q.n, ldw);
    q.m.q.set(m.q);
    q.m.scales.set(m.scales);
  }

  gemvQ(x: Float32Array, q: QuantizedMatrix, y: Float32Array, accumulate: boolean): void {
    if (!(q instanceof JsQuantized) || q.owner !== this) throw new Error('gemvQ: the matrix was not quantized by these kernels');
    checkGemvQArgs(x, q, y);
    if (this.xq.length < q.k) this.xq = new Int32Array(q.k);
    if (this.acc.length < q.n) this.acc = new Float64Array(q.n);
    gemvQJs(x, q.m, y, accumulate, this.xq, this.acc);
  }

  dispose(): void {
    this.row = new Float64Array(0);
    this.col = new Float64Array(0);
    this.xq = new Int32Array(0);
    this.acc = new Float64Array(0);
  }

  /**
   * op(B) = B (stored [k, n]): for each row i of C, loop p then j, so the inner loop walks a row of B and the
   * row accumulator contiguously (the "ikj" order). A is read once per (i, p), at stride 1 (A) or lda (A^T).
   */
  private gemmAxpy(
    transA: boolean, m: number, n: number, k: number,
    a: Float32Array, lda: number, b: Float32Array, ldb: number,
    c: Float32Array, ldc: number, accumulate: boolean,
  ): void {
    if (this.row.length < n) this.row = new Float64Array(n);
    const row = this.row;
    const aStepI = transA ? 1 : lda;
    const aStepP = transA ? lda : 1;
    for (let i = 0; i < m; i++) {
      const ci = i * ldc;
      if (accumulate) for (let j = 0; j < n; j++) row[j] = c[ci + j]!;
      else row.fill(0, 0, n);
      let ap = i * aStepI;
      for (let p = 0; p < k; p++, ap += aStepP) {
        const av = a[ap]!;
        const bp = p * ldb;
        let j = 0;
        for (; j + 4 <= n; j += 4) {
          row[j] = row[j]! + av * b[bp + j]!;
          row[j + 1] = row[j + 1]! + av * b[bp + j + 1]!;
          row[j + 2] = row[j + 2]! + av * b[bp + j + 2]!;
          row[j + 3] = row[j + 3]! + av * b[bp + j + 3]!;
        }
        for (; j < n; j++) row[j] = row[j]! + av * b[bp + j]!;
      }
      for (let j = 0; j < n; j++) c[ci + j] = row[j]!;
    }
  }

  /**
   * op(B) = B^T (B stored [n, k]): each C[i][j] is a dot product of a row of op(A) with row j of B, both walked
   * contiguously. For A^T the row of op(A) is a strided column of A, gathered once per i into a buffer.
   */
  private gemmDot(
    transA: boolean, m: number, n: number, k: number,
    a: Float32Array, lda: number, b: Float32Array, ldb: number,
    c: Float32Array, ldc: number, accumulate: boolean,
  ): void {
    if (this.col.length < k) this.col = new Float64Array(k);
    const col = this.col;
    for (let i = 0; i < m; i++) {
      if (transA) {
        for (let p = 0; p < k; p++) col[p] = a[p * lda + i]!;
      } else {
        const ai = i * lda;
        for (let p = 0; p < k; p++) col[p] = a[ai + p]!;
      }
      const ci = i * ldc;
      for (let j = 0; j < n; j++) {
        const bj = j * ldb;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        let p = 0;
        for (; p + 4 <= k; p += 4) {
          s0 += col[p]! * b[bj + p]!;
          s1 += col[p + 1]! * b[bj + p + 1]!;
          s2 += col[p + 2]! * b[bj + p + 2]!;
          s3 += col[p + 3]! * b[bj + p + 3]!;
        }
        for (; p < k; p++) s0 += col[p]! * b[bj + p]!;
        const s = s0 + s1 + (s2 + s3);
        c[ci + j] = accumulate ? c[ci + j]! + s : s;
      }
    }
  }
}
