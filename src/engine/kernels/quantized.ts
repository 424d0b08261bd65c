/**
 * Int8 weights × int16 activations for batch-1 inference ({@link Kernels.quantize} / {@link Kernels.gemvQ}):
 * the quantization of a weight matrix (shared by every kernel set), the packed layout of the WebAssembly
 * kernel (see wasm/qgemv.c), and the plain TypeScript product, which does the same integer arithmetic and the
 * same float32 roundings as qgemv.c so that both give bit-identical results.
 */
import type { Kernels, QuantizedMatrix } from './types';

/** Columns per panel of the packed layout (QB in qgemv.c). */
export const PANEL = 32;

/** A `[k, n]` matrix quantized per column: `w[p][j] ≈ q[p·n + j] · scales[j]`. */
export interface Int8Matrix {
  k: number;
  n: number;
  /** Row-major `[k, n]`, values in −127..127. */
  q: Int8Array;
  /** `[n]`, max|column| / 127 (0 for an all-zero column). */
  scales: Float32Array;
}

/** Largest |x_q| for a k-long product: the int32 sum of k products of |x_q| and |w_q| ≤ 127 cannot overflow. */
export function xqLimit(k: number): number {
  return Math.min(16383, Math.floor(0x7fffffff / (Math.max(1, k) * 127)));
}

export function checkQuantizeArgs(w: Float32Array, k: number, n: number, ldw: number): void {
  for (const [name, v] of [['k', k], ['n', n], ['ldw', ldw]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new RangeError(`quantize: ${name} must be a non-negative integer, got ${v}`);
  }
  if (k > 0 && n > 0) {
    if (ldw < n) throw new RangeError(`quantize: ldw = ${ldw} is less than n = ${n}`);
    if ((k - 1) * ldw + n > w.length) throw new RangeError(`quantize: [${k}, ${n}] with stride ${ldw} does not fit in ${w.length} elements`);
  }
}

/** Symmetric per-column int8 quantization of the `[k, n]` matrix `w` (row stride `ldw`). */
export function quantizeInt8(w: Float32Array, k: number, n: number, ldw = n): Int8Matrix {
  checkQuantizeArgs(w, k, n, ldw);
  const scales = new Float32Array(n);
  const q = new Int8Array(k * n);
  const maxAbs = new Float64Array(n);
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < n; j++) {
      const a = Math.abs(w[p * ldw + j]!);
      if (a > maxAbs[j]!) maxAbs[j] = a;
    }
  }
  const inv = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    scales[j] = maxAbs[j]! / 127;
    inv[j] = scales[j]! > 0 ? 1 / scales[j]! : 0;
  }
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < n; j++) {
      const v = Math.round(w[p * ldw + j]! * inv[j]!);
      q[p * n + j] = v > 127 ? 127 : v < -127 ? -127 : v | 0;
    }
  }
  return { k, n, q, scales };
}

/** Rows padded to even (kp) and columns to a multiple of 8 (np), as qgemv.c expects. */
export function paddedShape(k: number, n: number): { kp: number; np: number } {
  return { kp: (k + 1) & ~1, np: (n + 7) & ~7 };
}

/**
 * The layout of qgemv.c: column panels of {@link PANEL} (the last one narrower), each holding for every row
 * pair p and column j the bytes (q[2p][j], q[2p+1][j]). Returns the kp·np packed bytes and np scales.
 */
export function packPanels(m: Int8Matrix): { packed: Int8Array; scales: Float32Array } {
  const { k, n, q } = m;
  const { kp, np } = paddedShape(k, n);
  const packed = new Int8Array(kp * np);
  for (let j0 = 0; j0 < np; j0 += PANEL) {
    const nb = Math.min(PANEL, np - j0);
    const base = j0 * kp;
    for (let p = 0; p < k; p++) {
      const pair = p >> 1;
      const odd = p & 1;
      for (let c = 0; c < nb && j0 + c < n; c++) packed[base + pair * 2 * nb + 2 * c + odd] = q[p * n + j0 + c]!;
    }
  }
  const scales = new Float32Array(np);
  scales.set(m.scales);
  return { packed, scales };
}

/** Round half to even (f32.nearest), NaN → 0. */
function roundEven(v: number): number {
  const r = Math.round(v);
  return (r - v === 0.5 && (r & 1) !== 0 ? r - 1 : r) | 0;
}

/**
 * Quantizes `x[0:k]` into `xq` like qgemv.c does and returns the scale (0 for an all-zero x, when xq is not
 * written). Every product is rounded to float32 as in the kernel.
 */
export function quantizeActivations(x: Float32Array, k: number, xq: Int32Array): number {
  let m = 0;
  for (let p = 0; p < k; p++) {
    const a = Math.abs(x[p]!);
    if (a > m) m = a; // NaN is skipped
  }
  if (!(m > 0)) return 0;
  const lim = xqLimit(k);
  const inv = Math.fround(lim / m);
  for (let p = 0; p < k; p++) xq[p] = roundEven(Math.fround(x[p]! * inv));
  return Math.fround(m / lim);
}

export function checkGemvQArgs(x: Float32Array, q: QuantizedMatrix, y: Float32Array): void {
  if (x.length < q.k) throw new RangeError(`gemvQ: x has ${x.length} elements, the matrix has ${q.k} rows`);
  if (y.length < q.n) throw new RangeError(`gemvQ: y has ${y.length} elements, the matrix has ${q.n} columns`);
}

/** The quantized matrices of {@link JsKernels}. */
export class JsQuantized implements QuantizedMatrix {
  readonly k: number;
  readonly n: number;
  constructor(readonly m: Int8Matrix, readonly owner: Kernels) {
    this.k = m.k;
    this.n = m.n;
  }
}

/**
 * `y (+)= x · q` in TypeScript with the arithmetic of qgemv.c: integer sums (exact in doubles: |sum| < 2^31),
 * then `fround(fround(acc) · fround(scale_j · xs))`, added to y in float32.
 */
export function gemvQJs(
  x: Float32Array, m: Int8Matrix, y: Float32Array, accumulate: boolean, xq: Int32Array, acc: Float64Array,
): void {
  const { k, n, q, scales } = m;
  const xs = quantizeActivations(x, k, xq);
  if (xs === 0) {
    if (!accumulate) y.fill(0, 0, n);
    return;
  }
  acc.fill(0, 0, n);
  for (let p = 0; p < k; p++) {
    const a = xq[p]!;
    if (a === 0) continue;
    const row = p * n;
    for (let j = 0; j < n; j++) acc[j] = acc[j]! + a * q[row + j]!;
  }
  for (let j = 0; j < n; j++) {
    const v = Math.fround(Math.fround(acc[j]!) * Math.fround(scales[j]! * xs));
    y[j] = accumulate ? Math.fround(y[j]! + v) : v;
  }
}
