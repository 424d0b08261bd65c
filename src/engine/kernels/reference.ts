/**
 * The reference implementation of {@link TrainOps}: a kernel set's gemm for the recurrent products and the
 * plain TypeScript element-wise code of cells.ts. Kernel sets without their own `train` (the JS kernels,
 * tfjs-node) run on it, and the unit suite checks the WebAssembly ops against it.
 */
import * as cells from '../cells';
import { gatesOf } from '../../shared/modelConfig';
import type { AdamStep, Kernels, RecurrentLayer, RecurrentWork, TrainOps } from './types';

/**
 * Whether element `index` of a dropout mask drawn with `seed` is kept: a 32-bit integer hash of the index
 * (lowbias32 of index · φ + seed), its top 24 bits compared with keep · 2²⁴. Counter-based, so any thread can
 * draw any element; train.c computes the same.
 */
export function dropoutKeep(seed: number, index: number, keep24: number): boolean {
  let x = (Math.imul(index, 0x9e3779b9) + seed) | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b | 0);
  x ^= x >>> 16;
  return x >>> 8 < keep24;
}

/** keep · 2²⁴ rounded: the threshold {@link dropoutKeep} compares with. */
export function keepThreshold(keep: number): number {
  return Math.round(keep * 16777216);
}

/**
 * The reference ops on kernel set `k` (whose gemm the recurrent layers use). Without kernels only the
 * operations without matrix products work (the optimizer's: sumSquares, adam, and the others but the
 * recurrent layers).
 */
export function referenceTrainOps(kernels: Kernels | null): TrainOps {
  const gemmOf = (): Kernels => {
    if (!kernels) throw new Error('the reference recurrent ops need a kernel set for their products');
    return kernels;
  };
  return {
    gather(N, ids, table, E, out) {
      for (let n = 0; n < N; n++) {
        const id = ids[n]!;
        out.set(table.subarray(id * E, id * E + E), n * E);
      }
    },

    scatterAdd(N, ids, d, E, dTable, V) {
      dTable.fill(0, 0, V * E);
      for (let n = 0; n < N; n++) {
        const base = ids[n]! * E;
        for (let e = 0; e < E; e++) dTable[base + e]! += d[n * E + e]!;
      }
    },

    recurrentForward(L, dropout) {
      forward(gemmOf(), L);
      if (!L.mask) return;
      const n = L.B * L.T * L.H;
      const hsOut = L.hs.subarray(L.B * L.H);
      if (dropout) {
        const keep24 = keepThreshold(dropout.keep);
        const scale = Math.fround(1 / dropout.keep);
        const seed = dropout.seed | 0;
        for (let i = 0; i < n; i++) {
          const m = dropoutKeep(seed, i, keep24) ? scale : 0;
          L.mask[i] = m;
          L.out[i] = hsOut[i]! * m;
        }
      } else {
        L.mask.fill(1, 0, n);
        L.out.set(hsOut.subarray(0, n));
      }
    },

    recurrentBackward(L, dOut, dz, work) {
      backward(gemmOf(), L, dOut, dz, work);
    },

    softmaxCrossEntropy(N, V, logits, bias, targets, scale) {
      addRowBias(N, V, logits, bias);
      return cells.softmaxCrossEntropy(N, V, logits, targets, scale);
    },

    columnSums(rows, cols, m, out) {
      const acc = new Float64Array(cols);
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        for (let c = 0; c < cols; c++) acc[c]! += m[o + c]!;
      }
      out.set(acc);
    },

    sumSquares(x) {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
      return s;
    },

    adam(params, grads, m, v, h: AdamStep) {
      const { beta1: b1, beta2: b2, stepSize, epsHat, gradScale } = h;
      for (let i = 0; i < grads.length; i++) {
        const g = grads[i]! * gradScale;
        const mi = (m[i] = b1 * m[i]! + (1 - b1) * g);
        const vi = (v[i] = b2 * v[i]! + (1 - b2) * g * g);
        params[i]! -= stepSize * mi / (Math.sqrt(vi) + epsHat);
      }
    },
  };
}

function addRowBias(rows: number, cols: number, m: Float32Array, bias: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) m[o + c]! += bias[c]!;
  }
}

function forward(k: Kernels, L: RecurrentLayer): void {
  const { cell, B, T, H } = L;
  const G = gatesOf(cell) * H;
  addRowBias(T * B, G, L.gates, L.bias);
  for (let t = 0; t < T; t++) {
    const gates = L.gates.subarray(t * B * G, (t + 1) * B * G);
    const hPrev = L.hs.subarray(t * B * H, (t + 1) * B * H);
    const h = L.hs.subarray((t + 1) * B * H, (t + 2) * B * H);
    if (cell === 'lstm') {
      k.gemm(false, false, B, G, H, hPrev, H, L.U, G, gates, G, true);
      const cs = L.cs!;
      cells.lstmForward(B, H, gates, cs.subarray(t * B * H, (t + 1) * B * H), cs.subarray((t + 1) * B * H, (t + 2) * B * H), h);
    } else if (cell === 'gru') {
      const rh = L.rh!.subarray(t * B * H, (t + 1) * B * H);
      k.gemm(false, false, B, 2 * H, H, hPrev, H, L.U, G, gates, G, true);
      cells.gruGates(B, H, gates, hPrev, rh);
      k.gemm(false, false, B, H, H, rh, H, L.U.subarray(2 * H), G, gates.subarray(2 * H), G, true);
      cells.gruOutput(B, H, gates, hPrev, h);
    } else {
      k.gemm(false, false, B, G, H, hPrev, H, L.U, G, gates, G, true);
      cells.rnnForward(B, H, gates, h);
    }
  }
}

function backward(k: Kernels, L: RecurrentLayer, dOut: Float32Array, dzAll: Float32Array, w: RecurrentWork): void {
  const { cell, B, T, H } = L;
  const G = gatesOf(cell) * H;
  w.dhNext.fill(0, 0, B * H);
  w.dc.fill(0, 0, B * H);
  for (let t = T - 1; t >= 0; t--) {
    const rows = t * B * H;
    const dh = w.dh;
    if (L.mask) for (let i = 0; i < B * H; i++) dh[i] = dOut[rows + i]! * L.mask[rows + i]! + w.dhNext[i]!;
    else for (let i = 0; i < B * H; i++) dh[i] = dOut[rows + i]! + w.dhNext[i]!;
    const gates = L.gates.subarray(t * B * G, (t + 1) * B * G);
    const dz = dzAll.subarray(t * B * G, (t + 1) * B * G);
    const hPrev = L.hs.subarray(t * B * H, (t + 1) * B * H);
    if (cell === 'lstm') {
      const cs = L.cs!;
      cells.lstmBackward(B, H, gates, cs.subarray(t * B * H, (t + 1) * B * H),
        cs.subarray((t + 1) * B * H, (t + 2) * B * H), dh, w.dc, dz);
      k.gemm(false, true, B, H, G, dz, G, L.U, G, w.dhNext, H, false);
    } else if (cell === 'gru') {
      cells.gruBackwardZH(B, H, gates, hPrev, dh, dz, w.dhNext);
      k.gemm(false, true, B, H, H, dz.subarray(2 * H), G, L.U.subarray(2 * H), G, w.drh, H, false);
      cells.gruBackwardR(B, H, gates, hPrev, w.drh, dz, w.dhNext);
      k.gemm(false, true, B, H, 2 * H, dz, G, L.U, G, w.dhNext, H, true);
    } else {
      cells.rnnBackward(B, H, L.hs.subarray((t + 1) * B * H, (t + 2) * B * H), dh, dz);
      k.gemm(false, true, B, H, G, dz, G, L.U, G, w.dhNext, H, false);
    }
  }
}

