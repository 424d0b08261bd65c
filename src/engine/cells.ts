/**
 * Element-wise parts of the recurrent cells, forward and backward, for one time step of a batch.
 * The matrix products around them are done by the kernels; these loops are O(batch × units).
 * Gate layouts follow TF.js: LSTM `[i, f, c, o]`, GRU `[z, r, h]`, each block `units` wide, rows `gates·units`.
 */

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * LSTM step. In: `gates` [B, 4H] pre-activations, `cPrev` [B, H]. Out: `gates` holds the activations
 * (i, f, g, o), `c` and `h` [B, H] the new state.
 */
export function lstmForward(
  B: number, H: number, gates: Float32Array, cPrev: Float32Array, c: Float32Array, h: Float32Array,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const gr = b * G;
    const sr = b * H;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gates[gr + j]!);
      const f = sigmoid(gates[gr + H + j]!);
      const g = Math.tanh(gates[gr + 2 * H + j]!);
      const o = sigmoid(gates[gr + 3 * H + j]!);
      gates[gr + j] = i;
      gates[gr + H + j] = f;
      gates[gr + 2 * H + j] = g;
      gates[gr + 3 * H + j] = o;
      const cn = f * cPrev[sr + j]! + i * g;
      c[sr + j] = cn;
      h[sr + j] = o * Math.tanh(cn);
    }
  }
}

/**
 * LSTM step backward. In: activated `gates`, `cPrev`, `c`, `dh` (dL/dh_t), `dc` (dL/dc_t from step t+1).
 * Out: `dz` [B, 4H] = dL/d(pre-activations); `dc` is overwritten with dL/dc_{t-1}.
 */
export function lstmBackward(
  B: number, H: number, gates: Float32Array, cPrev: Float32Array, c: Float32Array,
  dh: Float32Array, dc: Float32Array, dz: Float32Array,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const gr = b * G;
    const sr = b * H;
    for (let j = 0; j < H; j++) {
      const i = gates[gr + j]!;
      const f = gates[gr + H + j]!;
      const g = gates[gr + 2 * H + j]!;
      const o = gates[gr + 3 * H + j]!;
      const tc = Math.tanh(c[sr + j]!);
      const dhv = dh[sr + j]!;
      const dct = dc[sr + j]! + dhv * o * (1 - tc * tc);
      dz[gr + j] = dct * g * i * (1 - i);
      dz[gr + H + j] = dct * cPrev[sr + j]! * f * (1 - f);
      dz[gr + 2 * H + j] = dct * i * (1 - g * g);
      dz[gr + 3 * H + j] = dhv * tc * o * (1 - o);
      dc[sr + j] = dct * f;
    }
  }
}

/** GRU step, part 1: sigmoid on the z and r blocks of `gates` [B, 3H]; `rh` [B, H] = r ⊙ hPrev. */
export function gruGates(B: number, H: number, gates: Float32Array, hPrev: Float32Array, rh: Float32Array): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    const gr = b * G;
    const sr = b * H;
    for (let j = 0; j < H; j++) {
      gates[gr + j] = sigmoid(gates[gr + j]!);
      const r = sigmoid(gates[gr + H + j]!);
      gates[gr + H + j] = r;
      rh[sr + j] = r * hPrev[sr + j]!;
    }
  }
}

/** GRU step, part 2 (after `gates[:, 2H:]` += rh · U_h): hh = tanh(...) in place; h = z ⊙ hPrev + (1 − z) ⊙ hh. */
export function gruOutput(B: number, H: number, gates: Float32Array, hPrev: Float32Array, h: Float32Array): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    const gr = b * G;
    const sr = b * H;
    for (let j = 0; j < H; j++) {
      const z = gates[gr + j]!;
      const hh = Math.tanh(gates[gr + 2 * H + j]!);
      gates[gr + 2 * H + j] = hh;
      h[sr + j] = z * hPrev[sr + j]! + (1 - z) * hh;
    }
  }
}

/**
 * GRU backward, part 1. Writes dL/d(pre-activation) of the z and h blocks into `dz` [B, 3H] and the direct
 * term dh ⊙ z into `dhPrev` [B, H]. The caller then computes `drh = dz[:, 2H:] · U_hᵀ`.
 */
export function gruBackwardZH(
  B: number, H: number, gates: Float32Array, hPrev: Float32Array, dh: Float32Array,
  dz: Float32Array, dhPrev: Float32Array,
): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    const gr = b * G;
    const sr = b * H;
    for (let j = 0; j < H; j++) {
      const z = gates[gr + j]!;
      const hh = gates[gr + 2 * H + j]!;
      const d = dh[sr + j]!;
      dz[gr + j] = d * (hPrev[sr + j]! - hh) * z * (1 - z);
      dz[gr + 2 * H + j] = d * (1 - z) * (1 - hh * hh);
      dhPrev[sr + j] = d * z;
    }
  }
}

/** GRU backward, part 2: from `drh` = dL/d(r ⊙ hPrev), the r block of `dz` and the r-path term of `dhPrev`. */
export function gruBackwardR(
  B: number, H: number, gates: Float32Array, hPrev: Float32Array, drh: Float32Array,
  dz: Float32Array, dhPrev: Float32Array,
): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    const gr = b * G;
    const sr = b * H;
    for (let j = 0; j < H; j++) {
      const r = gates[gr + H + j]!;
      const d = drh[sr + j]!;
      dz[gr + H + j] = d * hPrev[sr + j]! * r * (1 - r);
      dhPrev[sr + j]! += d * r;
    }
  }
}

/** Simple RNN step: h = tanh(pre-activation), written to `h` [B, H]. */
export function rnnForward(B: number, H: number, pre: Float32Array, h: Float32Array): void {
  for (let k = 0; k < B * H; k++) h[k] = Math.tanh(pre[k]!);
}

/** Simple RNN backward: dz = dh ⊙ (1 − h²). */
export function rnnBackward(B: number, H: number, h: Float32Array, dh: Float32Array, dz: Float32Array): void {
  for (let k = 0; k < B * H; k++) dz[k] = dh[k]! * (1 - h[k]! * h[k]!);
}

/**
 * Row-wise softmax cross-entropy. `logits` [N, V] is overwritten with dL/dlogits of the mean loss scaled by
 * `scale` (pass 1/N for a mean, 0 to skip the gradient). Returns the summed loss in nats.
 */
export function softmaxCrossEntropy(
  N: number, V: number, logits: Float32Array, targets: Int32Array, scale: number,
): number {
  let loss = 0;
  for (let n = 0; n < N; n++) {
    const row = n * V;
    let max = -Infinity;
    for (let v = 0; v < V; v++) if (logits[row + v]! > max) max = logits[row + v]!;
    let sum = 0;
    for (let v = 0; v < V; v++) {
      const e = Math.exp(logits[row + v]! - max);
      logits[row + v] = e;
      sum += e;
    }
    const t = targets[n]!;
    loss -= Math.log(Math.max(logits[row + t]! / sum, 1e-30));
    if (scale !== 0) {
      const k = scale / sum;
      for (let v = 0; v < V; v++) logits[row + v] = logits[row + v]! * k;
      logits[row + t] = logits[row + t]! - scale;
    }
  }
  return loss;
}
