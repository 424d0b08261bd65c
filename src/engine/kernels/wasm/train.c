/*
 * The element-wise rest of a training step (wasm32 + simd128), as tasks the loader splits over threads:
 * `task(op, idx, args, scratch)` runs chunk `idx` of operation `op` with its arguments read from `args`
 * (int32 slots in shared memory: sizes, byte addresses, float bit patterns). Every chunk writes a disjoint part
 * of its outputs, so chunks run in any order on any thread. See wasmKernels.ts (the JS side) and
 * kernels/reference.ts (the reference each task is checked against).
 *
 * Recurrent steps are split over blocks of units: a chunk computes the recurrent products of its units'
 * gate columns (by calling gemm on column blocks) and then their cell update, so a step is one job and each
 * thread reads only its part of the recurrent kernel. Backward, a chunk first finishes dL/dh_{t} of its units
 * from step t+1's gate gradients (dz_{t+1} · U[units]ᵀ), then runs the cell backward of step t on them.
 *
 * Dropout masks come from a counter-based hash of (seed, element index), the same in JS (reference.ts), so
 * the mask of an element does not depend on which thread computes it.
 */
#include <wasm_simd128.h>
#include <stdint.h>

#include "vmath.h"

typedef float f32;

void gemm(int transA, int transB, int m, int n, int k, const f32 *a, int lda, const f32 *b, int ldb, f32 *c, int ldc,
          int accumulate, void *scratch);
void pack_b_full(int transB, int k, int n, const f32 *b, int ldb, f32 *dst);
void gemm_pb(int m, int n, int k, const f32 *a, int lda, const f32 *pb, int nTot, int col0,
             f32 *c, int ldc, int accumulate, void *scratch, int count, int pbStride, int cStride);

/* gemm.c's register tile width and k block: the layout of packed panels. */
#define NR 8
#define KC 256
#define ROUND_NR(n) (((n) + NR - 1) / NR * NR)

#define OP_LSTM_FWD 1
#define OP_LSTM_BWD 2
#define OP_RNN_FWD 3
#define OP_RNN_BWD 4
#define OP_SOFTMAX_CE 5
#define OP_COL_SUMS 6
#define OP_GATHER 7
#define OP_SUM_SQUARES 8
#define OP_ADAM 9
#define OP_PACK 10
#define OP_SCATTER 11
#define OP_GRU_FWD_A 12
#define OP_GRU_FWD_B 13
#define OP_GRU_BWD_A 14
#define OP_GRU_BWD_B 15

#define I(k) (a[k])
#define F(k) (((const f32 *)a)[k])
#define P(k) ((f32 *)(uintptr_t)(uint32_t)a[k])

#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul
#define SPLAT wasm_f32x4_splat

/* The dropout hash (see reference.ts dropoutKeep): 4 consecutive indices from idx. */
static inline v128_t keep_mask4(uint32_t seed, uint32_t idx, int32_t keep24) {
  v128_t x = wasm_i32x4_make((int32_t)idx, (int32_t)(idx + 1), (int32_t)(idx + 2), (int32_t)(idx + 3));
  x = wasm_i32x4_add(wasm_i32x4_mul(x, wasm_i32x4_splat((int32_t)0x9E3779B9u)), wasm_i32x4_splat((int32_t)seed));
  x = wasm_v128_xor(x, wasm_u32x4_shr(x, 16));
  x = wasm_i32x4_mul(x, wasm_i32x4_splat(0x7feb352d));
  x = wasm_v128_xor(x, wasm_u32x4_shr(x, 15));
  x = wasm_i32x4_mul(x, wasm_i32x4_splat((int32_t)0x846ca68bu));
  x = wasm_v128_xor(x, wasm_u32x4_shr(x, 16));
  return wasm_i32x4_lt(wasm_u32x4_shr(x, 8), wasm_i32x4_splat(keep24));
}

/* Loads n (1..4) floats into the low lanes of a vector (zeros above). */
static inline v128_t load_n(const f32 *p, int n) {
  if (n >= 4) return wasm_v128_load(p);
  f32 t[4] = {0, 0, 0, 0};
  for (int i = 0; i < n; i++) t[i] = p[i];
  return wasm_v128_load(t);
}

static inline void store_n(f32 *p, v128_t v, int n) {
  if (n >= 4) {
    wasm_v128_store(p, v);
    return;
  }
  f32 t[4];
  wasm_v128_store(t, v);
  for (int i = 0; i < n; i++) p[i] = t[i];
}

/* Dropout on n (1..4) outputs h at element index idx: out = h · mask, mask = keep ? scale : 0. */
static inline void dropout_n(v128_t h, f32 *mask, f32 *out, int n, uint32_t seed, uint32_t idx, int32_t keep24, f32 scale) {
  v128_t m = wasm_v128_and(keep_mask4(seed, idx, keep24), SPLAT(scale));
  store_n(mask, m, n);
  store_n(out, MUL(h, m), n);
}

/*
 * LSTM forward, one time step, units [u0, u0 + len) of every row:
 * args: 0 B, 1 H, 2 hPrev [B,H], 3 U packed (each gate's [H, H] block by pack_b_full, one after the other), 4 gates [B,4H] (x·W in; activations out), 5 bias [4H], 6 cPrev,
 * 7 c, 8 h, 9 units per chunk, 10 mask (0 = no dropout), 11 out, 12 seed, 13 keep24, 14 scale (f32),
 * 15 element index of h[0][0] (for the hash).
 */
static void lstm_fwd(int idx, const int32_t *a, void *scratch) {
  const int B = I(0), H = I(1), G = 4 * H, ub = I(9);
  const int u0 = idx * ub;
  const int len = H - u0 < ub ? H - u0 : ub;
  if (len <= 0) return;
  const f32 *hPrev = P(2), *U = P(3), *bias = P(5), *cPrev = P(6);
  f32 *gates = P(4), *c = P(7), *h = P(8), *mask = P(10), *out = P(11);
  const uint32_t seed = (uint32_t)I(12), base = (uint32_t)I(15);
  const int32_t keep24 = I(13);
  const f32 scale = F(14);
  const int nTot = ROUND_NR(H);
  gemm_pb(B, len, H, hPrev, H, U, nTot, u0, gates + u0, G, 1, scratch, 4, H * nTot, H);
  for (int b = 0; b < B; b++) {
    f32 *gr = gates + b * G;
    const int sr = b * H;
    for (int j = u0; j < u0 + len; j += 4) {
      const int n = u0 + len - j < 4 ? u0 + len - j : 4;
      v128_t i = sigmoid4(ADD(load_n(gr + j, n), load_n(bias + j, n)));
      v128_t f = sigmoid4(ADD(load_n(gr + H + j, n), load_n(bias + H + j, n)));
      v128_t gg = tanh4(ADD(load_n(gr + 2 * H + j, n), load_n(bias + 2 * H + j, n)));
      v128_t o = sigmoid4(ADD(load_n(gr + 3 * H + j, n), load_n(bias + 3 * H + j, n)));
      store_n(gr + j, i, n);
      store_n(gr + H + j, f, n);
      store_n(gr + 2 * H + j, gg, n);
      store_n(gr + 3 * H + j, o, n);
      v128_t cn = ADD(MUL(f, load_n(cPrev + sr + j, n)), MUL(i, gg));
      store_n(c + sr + j, cn, n);
      v128_t hv = MUL(o, tanh4(cn));
      store_n(h + sr + j, hv, n);
      if (mask) dropout_n(hv, mask + sr + j, out + sr + j, n, seed, base + sr + j, keep24, scale);
    }
  }
}

/*
 * LSTM backward, one time step t, units [u0, u0 + len):
 * args: 0 B, 1 H, 2 Uᵀ packed ([4H, H] by pack_b_full), 3 gates_t (activations), 4 cPrev, 5 c, 6 dOut_t [B,H], 7 mask_t (0 = none),
 * 8 dhNext [B,H] (dL/dh_t from later steps; written here), 9 dc [B,H] (dL/dc_t in, dL/dc_{t-1} out),
 * 10 dz_t [B,4H] (out), 11 dz_{t+1} (0 at the last step: then dhNext and dc start at zero), 12 units per chunk.
 */
static void lstm_bwd(int idx, const int32_t *a, void *scratch) {
  const int B = I(0), H = I(1), G = 4 * H, ub = I(12);
  const int u0 = idx * ub;
  const int len = H - u0 < ub ? H - u0 : ub;
  if (len <= 0) return;
  const f32 *U = P(2), *gates = P(3), *cPrev = P(4), *c = P(5), *dOut = P(6), *mask = P(7), *dzNext = P(11);
  f32 *dhNext = P(8), *dc = P(9), *dz = P(10);
  if (dzNext) gemm_pb(B, len, G, dzNext, G, U, ROUND_NR(H), u0, dhNext + u0, H, 0, scratch, 1, 0, 0);
  const v128_t one = SPLAT(1.0f);
  for (int b = 0; b < B; b++) {
    const f32 *gr = gates + b * G;
    f32 *dzr = dz + b * G;
    const int sr = b * H;
    for (int j = u0; j < u0 + len; j += 4) {
      const int n = u0 + len - j < 4 ? u0 + len - j : 4;
      v128_t dh = load_n(dOut + sr + j, n);
      if (mask) dh = MUL(dh, load_n(mask + sr + j, n));
      v128_t dcv = SPLAT(0.0f);
      if (dzNext) {
        dh = ADD(dh, load_n(dhNext + sr + j, n));
        dcv = load_n(dc + sr + j, n);
      }
      v128_t i = load_n(gr + j, n), f = load_n(gr + H + j, n), g = load_n(gr + 2 * H + j, n), o = load_n(gr + 3 * H + j, n);
      v128_t tc = tanh4(load_n(c + sr + j, n));
      v128_t dct = ADD(dcv, MUL(MUL(dh, o), SUB(one, MUL(tc, tc))));
      store_n(dzr + j, MUL(MUL(dct, g), MUL(i, SUB(one, i))), n);
      store_n(dzr + H + j, MUL(MUL(dct, load_n(cPrev + sr + j, n)), MUL(f, SUB(one, f))), n);
      store_n(dzr + 2 * H + j, MUL(MUL(dct, i), SUB(one, MUL(g, g))), n);
      store_n(dzr + 3 * H + j, MUL(MUL(dh, tc), MUL(o, SUB(one, o))), n);
      store_n(dc + sr + j, MUL(dct, f), n);
    }
  }
}

/*
 * Simple RNN forward, one step: gates = x·W + hPrev·U + bias (kept, as the reference), h = tanh(gates).
 * args as lstm_fwd with G = H, U packed [H, H] (6, 7 unused).
 */
static void rnn_fwd(int idx, const int32_t *a, void *scratch) {
  const int B = I(0), H = I(1), ub = I(9);
  const int u0 = idx * ub;
  const int len = H - u0 < ub ? H - u0 : ub;
  if (len <= 0) return;
  const f32 *hPrev = P(2), *U = P(3), *bias = P(5);
  f32 *pre = P(4), *h = P(8), *mask = P(10), *out = P(11);
  const uint32_t seed = (uint32_t)I(12), base = (uint32_t)I(15);
  const int32_t keep24 = I(13);
  const f32 scale = F(14);
  gemm_pb(B, len, H, hPrev, H, U, ROUND_NR(H), u0, pre + u0, H, 1, scratch, 1, 0, 0);
  for (int b = 0; b < B; b++) {
    const int sr = b * H;
    for (int j = u0; j < u0 + len; j += 4) {
      const int n = u0 + len - j < 4 ? u0 + len - j : 4;
      v128_t z = ADD(load_n(pre + sr + j, n), load_n(bias + j, n));
      store_n(pre + sr + j, z, n);
      v128_t hv = tanh4(z);
      store_n(h + sr + j, hv, n);
      if (mask) dropout_n(hv, mask + sr + j, out + sr + j, n, seed, base + sr + j, keep24, scale);
    }
  }
}

/*
 * Simple RNN backward, one step: dz = (dOut·mask + dhNext) ⊙ (1 − h²).
 * args: 0 B, 1 H, 2 Uᵀ packed, 3 h_t, 4 -, 5 -, 6 dOut_t, 7 mask_t, 8 dhNext, 9 -, 10 dz_t, 11 dz_{t+1}, 12 units per chunk.
 */
static void rnn_bwd(int idx, const int32_t *a, void *scratch) {
  const int B = I(0), H = I(1), ub = I(12);
  const int u0 = idx * ub;
  const int len = H - u0 < ub ? H - u0 : ub;
  if (len <= 0) return;
  const f32 *U = P(2), *hs = P(3), *dOut = P(6), *mask = P(7), *dzNext = P(11);
  f32 *dhNext = P(8), *dz = P(10);
  if (dzNext) gemm_pb(B, len, H, dzNext, H, U, ROUND_NR(H), u0, dhNext + u0, H, 0, scratch, 1, 0, 0);
  const v128_t one = SPLAT(1.0f);
  for (int b = 0; b < B; b++) {
    const int sr = b * H;
    for (int j = u0; j < u0 + len; j += 4) {
      const int n = u0 + len - j < 4 ? u0 + len - j : 4;
      v128_t dh = load_n(dOut + sr + j, n);
      if (mask) dh = MUL(dh, load_n(mask + sr + j, n));
      if (dzNext) dh = ADD(dh, load_n(dhNext + sr + j, n));
      v128_t hv = load_n(hs + sr + j, n);
      store_n(dz + sr + j, MUL(dh, SUB(one, MUL(hv, hv))), n);
    }
  }
}

/*
 * GRU forward, one time step, in two jobs (r ⊙ hPrev of every unit is needed before the candidate's product).
 * args: 0 B, 1 H, 2 hPrev, 3 U packed (gates z, r, h: [H, H] blocks by pack_b_full), 4 gates_t [B,3H],
 * 5 bias [3H], 6 rh_t [B,H], 7 h_t, 8 units per chunk, 9 mask (0 = none), 10 out, 11 seed, 12 keep24,
 * 13 scale (f32), 14 element index of h_t[0][0].
 * A: z, r = sigmoid(x·W + hPrev·U_zr + b); rh = r ⊙ hPrev.  B: hh = tanh(x·W_h + rh·U_h + b_h);
 * h = z ⊙ hPrev + (1 − z) ⊙ hh, and dropout.
 */
static void gru_fwd(int idx, const int32_t *a, void *scratch, int second) {
  const int B = I(0), H = I(1), G = 3 * H, ub = I(8);
  const int u0 = idx * ub;
  const int len = H - u0 < ub ? H - u0 : ub;
  if (len <= 0) return;
  const f32 *hPrev = P(2), *U = P(3), *bias = P(5);
  f32 *gates = P(4), *rh = P(6), *h = P(7), *mask = P(9), *out = P(10);
  const int nTot = ROUND_NR(H);
  if (!second) {
    gemm_pb(B, len, H, hPrev, H, U, nTot, u0, gates + u0, G, 1, scratch, 2, H * nTot, H);
    for (int b = 0; b < B; b++) {
      f32 *gr = gates + b * G;
      const int sr = b * H;
      for (int j = u0; j < u0 + len; j += 4) {
        const int n = u0 + len - j < 4 ? u0 + len - j : 4;
        v128_t z = sigmoid4(ADD(load_n(gr + j, n), load_n(bias + j, n)));
        v128_t r = sigmoid4(ADD(load_n(gr + H + j, n), load_n(bias + H + j, n)));
        store_n(gr + j, z, n);
        store_n(gr + H + j, r, n);
        store_n(rh + sr + j, MUL(r, load_n(hPrev + sr + j, n)), n);
      }
    }
    return;
  }
  const uint32_t seed = (uint32_t)I(11), base = (uint32_t)I(14);
  const int32_t keep24 = I(12);
  const f32 scale = F(13);
  const v128_t one = SPLAT(1.0f);
  gemm_pb(B, len, H, rh, H, U + 2 * H * nTot, nTot, u0, gates + 2 * H + u0, G, 1, scratch, 1, 0, 0);
  for (int b = 0; b < B; b++) {
    f32 *gr = gates + b * G;
    const int sr = b * H;
    for (int j = u0; j < u0 + len; j += 4) {
      const int n = u0 + len - j < 4 ? u0 + len - j : 4;
      v128_t hh = tanh4(ADD(load_n(gr + 2 * H + j, n), load_n(bias + 2 * H + j, n)));
      store_n(gr + 2 * H + j, hh, n);
      v128_t z = load_n(gr + j, n);
      v128_t hv = ADD(MUL(z, load_n(hPrev + sr + j, n)), MUL(SUB(one, z), hh));
      store_n(h + sr + j, hv, n);
      if (mask) dropout_n(hv, mask + sr + j, out + sr + j, n, seed, base + sr + j, keep24, scale);
    }
  }
}

/*
 * GRU backward, one time step t, in two jobs. args: 0 B, 1 H, 2 U_zrᵀ packed ([2H, H]), 3 U_hᵀ packed ([H, H]),
 * 4 gates_t (activations z, r, hh), 5 hPrev_t, 6 dOut_t, 7 mask_t (0 = none), 8 dhAcc [B,H], 9 drh [B,H],
 * 10 dz_t [B,3H], 11 dz_{t+1} (0 at the last step), 12 units per chunk.
 * A: dL/dh_t = dhAcc + dz_{t+1}[z,r] · U_zrᵀ (dhAcc holds step t+1's direct and reset-path terms), dh adds
 * dOut ⊙ mask; dz_z, dz_h; dhAcc = dh ⊙ z.  B: drh = dz_h · U_hᵀ; dz_r = drh ⊙ hPrev ⊙ r(1 − r); dhAcc += drh ⊙ r.
 */
static void gru_bwd(int idx, const int32_t *a, void *scratch, int second) {
  const int B = I(0), H = I(1), G = 3 * H, ub = I(12);
  const int u0 = idx * ub;
  const int len = H - u0 < ub ? H - u0 : ub;
  if (len <= 0) return;
  const f32 *UzrT = P(2), *UhT = P(3), *gates = P(4), *hPrev = P(5), *dOut = P(6), *mask = P(7), *dzNext = P(11);
  f32 *dhAcc = P(8), *drh = P(9), *dz = P(10);
  const int nTot = ROUND_NR(H);
  const v128_t one = SPLAT(1.0f);
  if (!second) {
    if (dzNext) gemm_pb(B, len, 2 * H, dzNext, G, UzrT, nTot, u0, dhAcc + u0, H, 1, scratch, 1, 0, 0);
    for (int b = 0; b < B; b++) {
      const f32 *gr = gates + b * G;
      f32 *dzr = dz + b * G;
      const int sr = b * H;
      for (int j = u0; j < u0 + len; j += 4) {
        const int n = u0 + len - j < 4 ? u0 + len - j : 4;
        v128_t d = load_n(dOut + sr + j, n);
        if (mask) d = MUL(d, load_n(mask + sr + j, n));
        if (dzNext) d = ADD(d, load_n(dhAcc + sr + j, n));
        v128_t z = load_n(gr + j, n), hh = load_n(gr + 2 * H + j, n);
        store_n(dzr + j, MUL(MUL(d, SUB(load_n(hPrev + sr + j, n), hh)), MUL(z, SUB(one, z))), n);
        store_n(dzr + 2 * H + j, MUL(MUL(d, SUB(one, z)), SUB(one, MUL(hh, hh))), n);
        store_n(dhAcc + sr + j, MUL(d, z), n);
      }
    }
    return;
  }
  gemm_pb(B, len, H, dz + 2 * H, G, UhT, nTot, u0, drh + u0, H, 0, scratch, 1, 0, 0);
  for (int b = 0; b < B; b++) {
    const f32 *gr = gates + b * G;
    f32 *dzr = dz + b * G;
    const int sr = b * H;
    for (int j = u0; j < u0 + len; j += 4) {
      const int n = u0 + len - j < 4 ? u0 + len - j : 4;
      v128_t r = load_n(gr + H + j, n), d = load_n(drh + sr + j, n);
      store_n(dzr + H + j, MUL(MUL(d, load_n(hPrev + sr + j, n)), MUL(r, SUB(one, r))), n);
      store_n(dhAcc + sr + j, ADD(load_n(dhAcc + sr + j, n), MUL(d, r)), n);
    }
  }
}

/* Natural log in double precision for x > 0 (finite): x = m · 2^e with m in [√½, √2), atanh series. */
static double log_d(double x) {
  union { double d; uint64_t u; } v = {x};
  int e = (int)((v.u >> 52) & 0x7ff) - 1023;
  v.u = (v.u & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
  double m = v.d;
  if (m > 1.41421356237309505) {
    m *= 0.5;
    e++;
  }
  double s = (m - 1) / (m + 1), s2 = s * s;
  double p = 1.0 / 19;
  for (int k = 17; k >= 1; k -= 2) p = p * s2 + 1.0 / k;
  return 2 * s * p + e * 0.69314718055994530942;
}

/*
 * Rows [r0, r1) of the output layer: logits += bias, softmax, cross-entropy, and (scale ≠ 0) dL/dlogits.
 * args: 0 N, 1 V, 2 logits [N,V], 3 bias [V], 4 targets (int32) [N], 5 scale (f32), 6 loss out (f64, per chunk),
 * 7 rows per chunk. The loss of the chunk's rows is summed in double precision.
 */
static void softmax_ce(int idx, const int32_t *a) {
  const int N = I(0), V = I(1), rows = I(7);
  const int r0 = idx * rows;
  const int r1 = N - r0 < rows ? N : r0 + rows;
  f32 *logits = P(2);
  const f32 *bias = P(3);
  const int32_t *targets = (const int32_t *)P(4);
  const f32 scale = F(5);
  double *loss = (double *)P(6);
  double sumLoss = 0;
  for (int r = r0; r < r1; r++) {
    f32 *z = logits + r * V;
    const int vFull = V & ~3;
    v128_t mx = SPLAT(-3.0e38f);
    for (int v = 0; v < vFull; v += 4) {
      v128_t x = ADD(wasm_v128_load(z + v), wasm_v128_load(bias + v));
      wasm_v128_store(z + v, x);
      mx = wasm_f32x4_pmax(mx, x);
    }
    f32 m = wasm_f32x4_extract_lane(mx, 0);
    if (wasm_f32x4_extract_lane(mx, 1) > m) m = wasm_f32x4_extract_lane(mx, 1);
    if (wasm_f32x4_extract_lane(mx, 2) > m) m = wasm_f32x4_extract_lane(mx, 2);
    if (wasm_f32x4_extract_lane(mx, 3) > m) m = wasm_f32x4_extract_lane(mx, 3);
    for (int v = vFull; v < V; v++) {
      z[v] += bias[v];
      if (z[v] > m) m = z[v];
    }
    const int t = targets[r];
    const f32 zt = z[t];
    v128_t sum4 = SPLAT(0.0f);
    const v128_t mv = SPLAT(m);
    for (int v = 0; v < V; v += 4) {
      const int n = V - v < 4 ? V - v : 4;
      v128_t e = exp4(SUB(load_n(z + v, n), mv));
      if (n < 4) e = wasm_v128_and(e, wasm_i32x4_lt(wasm_i32x4_make(0, 1, 2, 3), wasm_i32x4_splat(n)));
      store_n(z + v, e, n);
      sum4 = ADD(sum4, e);
    }
    double sum = (double)wasm_f32x4_extract_lane(sum4, 0) + wasm_f32x4_extract_lane(sum4, 1)
      + wasm_f32x4_extract_lane(sum4, 2) + wasm_f32x4_extract_lane(sum4, 3);
    double lp = (double)(zt - m) - log_d(sum);
    sumLoss -= lp < -69.0775527898 ? -69.0775527898 : lp; /* p floored at 1e-30, as the reference */
    if (scale != 0.0f) {
      const v128_t k = SPLAT((f32)(scale / sum));
      for (int v = 0; v < V; v += 4) {
        const int n = V - v < 4 ? V - v : 4;
        store_n(z + v, MUL(load_n(z + v, n), k), n);
      }
      z[t] -= scale;
    }
  }
  loss[idx] = sumLoss;
}

/* Column sums in double precision: out[c] = Σ_r m[r][c] for columns [c0, c0 + w). args: 0 rows, 1 cols, 2 m, 3 ld, 4 out, 5 cols per chunk. */
static void col_sums(int idx, const int32_t *a) {
  const int rows = I(0), cols = I(1), ld = I(3), w = I(5);
  const int c0 = idx * w;
  const int c1 = cols - c0 < w ? cols : c0 + w;
  const f32 *m = P(2);
  f32 *out = P(4);
  int c = c0;
  for (; c + 8 <= c1; c += 8) {
    v128_t s0 = wasm_f64x2_splat(0), s1 = s0, s2 = s0, s3 = s0;
    const f32 *p = m + c;
    for (int r = 0; r < rows; r++, p += ld) {
      v128_t x = wasm_v128_load(p), y = wasm_v128_load(p + 4);
      s0 = wasm_f64x2_add(s0, wasm_f64x2_promote_low_f32x4(x));
      s1 = wasm_f64x2_add(s1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(x, x, 2, 3, 0, 1)));
      s2 = wasm_f64x2_add(s2, wasm_f64x2_promote_low_f32x4(y));
      s3 = wasm_f64x2_add(s3, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(y, y, 2, 3, 0, 1)));
    }
    wasm_v128_store(out + c, wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(s0), wasm_f32x4_demote_f64x2_zero(s1), 0, 1, 4, 5));
    wasm_v128_store(out + c + 4, wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(s2), wasm_f32x4_demote_f64x2_zero(s3), 0, 1, 4, 5));
  }
  for (; c < c1; c++) {
    double s = 0;
    for (int r = 0; r < rows; r++) s += m[r * ld + c];
    out[c] = (f32)s;
  }
}

/* out[r][:] = table[ids[r]][:] for rows [r0, r1). args: 0 N, 1 ids (int32), 2 table, 3 E, 4 out, 5 rows per chunk. */
static void gather(int idx, const int32_t *a) {
  const int N = I(0), E = I(3), rows = I(5);
  const int r0 = idx * rows;
  const int r1 = N - r0 < rows ? N : r0 + rows;
  const int32_t *ids = (const int32_t *)P(1);
  const f32 *table = P(2);
  f32 *out = P(4);
  for (int r = r0; r < r1; r++) {
    const f32 *src = table + ids[r] * E;
    f32 *dst = out + r * E;
    int e = 0;
    for (; e + 4 <= E; e += 4) wasm_v128_store(dst + e, wasm_v128_load(src + e));
    for (; e < E; e++) dst[e] = src[e];
  }
}

/* Σ x² over elements [i0, i1) in double precision into out[idx]. args: 0 x, 1 n, 2 elements per chunk, 3 out (f64). */
static void sum_squares(int idx, const int32_t *a) {
  const int n = I(1), w = I(2);
  const int i0 = idx * w;
  const int i1 = n - i0 < w ? n : i0 + w;
  const f32 *x = P(0);
  v128_t s0 = wasm_f64x2_splat(0), s1 = s0;
  int i = i0;
  for (; i < i1 && (i & 3); i++) s0 = wasm_f64x2_add(s0, wasm_f64x2_make((double)x[i] * x[i], 0));
  for (; i + 4 <= i1; i += 4) {
    v128_t v = wasm_v128_load(x + i);
    v128_t lo = wasm_f64x2_promote_low_f32x4(v), hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    s0 = wasm_f64x2_add(s0, wasm_f64x2_mul(lo, lo));
    s1 = wasm_f64x2_add(s1, wasm_f64x2_mul(hi, hi));
  }
  for (; i < i1; i++) s0 = wasm_f64x2_add(s0, wasm_f64x2_make((double)x[i] * x[i], 0));
  s0 = wasm_f64x2_add(s0, s1);
  ((double *)P(3))[idx] = wasm_f64x2_extract_lane(s0, 0) + wasm_f64x2_extract_lane(s0, 1);
}

/*
 * Adam over elements [i0, i1): g = grad · gradScale; m = b1·m + (1−b1)·g; v = b2·v + (1−b2)·g²;
 * param −= stepSize · m / (√v + epsHat). args: 0 params, 1 grads, 2 m, 3 v, 4 n, 5 elements per chunk,
 * 6 b1, 7 b2, 8 stepSize, 9 epsHat, 10 gradScale (f32).
 */
static void adam(int idx, const int32_t *a) {
  const int n = I(4), w = I(5);
  const int i0 = idx * w;
  const int i1 = n - i0 < w ? n : i0 + w;
  f32 *p = P(0), *m = P(2), *v = P(3);
  const f32 *g = P(1);
  const f32 b1 = F(6), b2 = F(7), step = F(8), eps = F(9), gs = F(10);
  const v128_t vb1 = SPLAT(b1), vb2 = SPLAT(b2), va1 = SPLAT(1 - b1), va2 = SPLAT(1 - b2);
  const v128_t vstep = SPLAT(step), veps = SPLAT(eps), vgs = SPLAT(gs);
  for (int i = i0; i < i1; i += 4) {
    const int k = i1 - i < 4 ? i1 - i : 4;
    v128_t gv = MUL(load_n(g + i, k), vgs);
    v128_t mv = ADD(MUL(vb1, load_n(m + i, k)), MUL(va1, gv));
    v128_t vv = ADD(MUL(vb2, load_n(v + i, k)), MUL(va2, MUL(gv, gv)));
    store_n(m + i, mv, k);
    store_n(v + i, vv, k);
    store_n(p + i, SUB(load_n(p + i, k), wasm_f32x4_div(MUL(vstep, mv), ADD(wasm_f32x4_sqrt(vv), veps))), k);
  }
}

/*
 * Packs `count` matrices op(B_i) [k, n] (B_i = b + i · bStride elements) by pack_b_full into dst + i · k · nTot;
 * chunk idx = (matrix, KC-row block). args: 0 transB, 1 k, 2 n, 3 b, 4 ldb, 5 dst, 6 count, 7 bStride.
 */
static void pack(int idx, const int32_t *a) {
  const int transB = I(0), k = I(1), n = I(2), ldb = I(4), bStride = I(7);
  const int blocks = (k + KC - 1) / KC;
  const int i = idx / blocks, pc = (idx % blocks) * KC;
  const int kc = k - pc < KC ? k - pc : KC;
  const int nTot = ROUND_NR(n);
  const f32 *b = P(3) + i * bStride;
  pack_b_full(transB, kc, n, transB ? b + pc : b + pc * ldb, ldb, P(5) + i * k * nTot + pc * nTot);
}

/*
 * Columns [c0, c0 + w) of dTable [V, E]: zeroed, then dTable[ids[r]] += d[r] for r < N.
 * args: 0 N, 1 ids (int32), 2 d [N, E], 3 E, 4 dTable, 5 V, 6 columns per chunk.
 */
static void scatter(int idx, const int32_t *a) {
  const int N = I(0), E = I(3), V = I(5), w = I(6);
  const int c0 = idx * w;
  const int c1 = E - c0 < w ? E : c0 + w;
  const int32_t *ids = (const int32_t *)P(1);
  const f32 *d = P(2);
  f32 *dTable = P(4);
  for (int v = 0; v < V; v++) for (int e = c0; e < c1; e++) dTable[v * E + e] = 0.0f;
  for (int r = 0; r < N; r++) {
    f32 *dst = dTable + ids[r] * E;
    const f32 *src = d + r * E;
    int e = c0;
    for (; e + 4 <= c1; e += 4) wasm_v128_store(dst + e, ADD(wasm_v128_load(dst + e), wasm_v128_load(src + e)));
    for (; e < c1; e++) dst[e] += src[e];
  }
}

__attribute__((export_name("task")))
void task(int op, int idx, const int32_t *args, void *scratch) {
  switch (op) {
    case OP_LSTM_FWD: lstm_fwd(idx, args, scratch); break;
    case OP_LSTM_BWD: lstm_bwd(idx, args, scratch); break;
    case OP_RNN_FWD: rnn_fwd(idx, args, scratch); break;
    case OP_RNN_BWD: rnn_bwd(idx, args, scratch); break;
    case OP_SOFTMAX_CE: softmax_ce(idx, args); break;
    case OP_COL_SUMS: col_sums(idx, args); break;
    case OP_GATHER: gather(idx, args); break;
    case OP_SUM_SQUARES: sum_squares(idx, args); break;
    case OP_ADAM: adam(idx, args); break;
    case OP_PACK: pack(idx, args); break;
    case OP_SCATTER: scatter(idx, args); break;
    case OP_GRU_FWD_A: gru_fwd(idx, args, scratch, 0); break;
    case OP_GRU_FWD_B: gru_fwd(idx, args, scratch, 1); break;
    case OP_GRU_BWD_A: gru_bwd(idx, args, scratch, 0); break;
    case OP_GRU_BWD_B: gru_bwd(idx, args, scratch, 1); break;
    default: __builtin_trap();
  }
}

