/**
 * Kernels on a TF.js backend: each gemm is one `tf.matMul`. Used with `@tensorflow/tfjs-node` (native
 * TensorFlow, multi-threaded) where that optional dependency is installed; on the portable TF.js backends it
 * works too (the tests use the pure-JS cpu backend) but is far slower than the wasm kernels.
 *
 * Operands are copied into tensors (strided blocks are gathered first) and the product is copied back, so
 * the per-call cost only pays off for the large products of training, where native TensorFlow's matrix
 * multiply is fast.
 */
import { checkGemmArgs } from './checks';
import type { TF } from '../tfjs/layersModel';
import type { Kernels } from './types';

/** The part of the TF.js API these kernels use (a type only: TF.js is loaded by the caller). */
export type TfMatMul = Pick<TF, 'tensor2d' | 'matMul' | 'getBackend'>;

/** Rows × cols starting at `src[0]`, row stride `ld`, as a contiguous array (no copy when already contiguous). */
function block(src: Float32Array, rows: number, cols: number, ld: number): Float32Array {
  if (ld === cols) return src.subarray(0, rows * cols);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) out.set(src.subarray(r * ld, r * ld + cols), r * cols);
  return out;
}

export class TfKernels implements Kernels {
  readonly name: string;
  readonly threads = 1;

  constructor(private readonly tf: TfMatMul, label = `tfjs-${tf.getBackend()}`) {
    this.name = label;
  }

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
    if (k === 0) {
      if (!accumulate) for (let i = 0; i < m; i++) c.fill(0, i * ldc, i * ldc + n);
      return;
    }
    const [ar, ac] = transA ? [k, m] : [m, k];
    const [br, bc] = transB ? [n, k] : [k, n];
    const ta = this.tf.tensor2d(block(a, ar, ac, lda), [ar, ac], 'float32');
    const tb = this.tf.tensor2d(block(b, br, bc, ldb), [br, bc], 'float32');
    const tc = this.tf.matMul(ta, tb, transA, transB);
    try {
      const out = tc.dataSync();
      for (let i = 0; i < m; i++) {
        const row = i * ldc;
        if (accumulate) for (let j = 0; j < n; j++) c[row + j] = c[row + j]! + out[i * n + j]!;
        else for (let j = 0; j < n; j++) c[row + j] = out[i * n + j]!;
      }
    } finally {
      ta.dispose();
      tb.dispose();
      tc.dispose();
    }
  }

  dispose(): void {
    // Nothing held between calls.
  }
}
