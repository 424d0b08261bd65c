/** Argument checks shared by every kernel set, so that all of them reject the same mistakes the same way. */

function checkDim(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
    throw new RangeError(`gemm: ${name} must be a non-negative integer, got ${v}`);
  }
}

/**
 * Throws a `RangeError` unless a `rows x cols` row-major matrix with row stride `ld` fits inside `buf`
 * (`ld >= cols`, and the last row ends within `buf.length`). Empty matrices always fit.
 */
export function checkMatrix(name: string, buf: Float32Array, rows: number, cols: number, ld: number): void {
  checkDim(`ld${name}`, ld);
  if (rows === 0 || cols === 0) return;
  if (ld < cols) throw new RangeError(`gemm: ld${name} = ${ld} is less than the ${cols} columns ${name} is stored with`);
  const need = (rows - 1) * ld + cols;
  if (need > buf.length) {
    throw new RangeError(
      `gemm: ${name} stored as [${rows}, ${cols}] with stride ${ld} needs ${need} elements, buffer has ${buf.length}`,
    );
  }
}

/** Validates every argument of {@link Kernels.gemm}; see there for their meaning. */
export function checkGemmArgs(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Float32Array, lda: number, b: Float32Array, ldb: number, c: Float32Array, ldc: number,
): void {
  checkDim('m', m);
  checkDim('n', n);
  checkDim('k', k);
  checkMatrix('a', a, transA ? k : m, transA ? m : k, lda);
  checkMatrix('b', b, transB ? n : k, transB ? k : n, ldb);
  checkMatrix('c', c, m, n, ldc);
}
