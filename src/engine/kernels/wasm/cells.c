/*
 * Element-wise LSTM step for batch-1 inference (wasm32 + simd128), so that a Predictor step does not spend as
 * long in JavaScript's Math.exp/Math.tanh (5 per unit) as in its quantized matrix products.
 *
 * exp is the Cephes single-precision scheme (Cody-Waite reduction by ln 2, degree-6 polynomial, exponent
 * bits for 2^n): within 2 ulp of the true value over the clamped range. sigmoid(x) = 1 / (1 + e^-x) and
 * tanh(x) = 2 · sigmoid(2x) - 1 (absolute error ~1e-7 near 0, where relative accuracy does not matter here).
 * No global state; nothing on the C stack beyond a few floats for a ragged tail.
 */
#include <wasm_simd128.h>
#include <stdint.h>

#include "vmath.h"

/* Four units: gate pre-activations gi, gf, gg, go (TF.js order i, f, c, o); c in/out; h out. */
static inline void cell4(v128_t gi, v128_t gf, v128_t gg, v128_t go, v128_t *c, v128_t *h) {
  v128_t cn = wasm_f32x4_add(wasm_f32x4_mul(sigmoid4(gf), *c), wasm_f32x4_mul(sigmoid4(gi), tanh4(gg)));
  *c = cn;
  *h = wasm_f32x4_mul(sigmoid4(go), tanh4(cn));
}

/*
 * gates [4H] pre-activations (left as they are), c [H] the cell state (updated in place), h [H] the output.
 * Pointers are byte addresses in linear memory.
 */
__attribute__((export_name("lstm_cell")))
void lstm_cell(int H, const float *gates, float *c, float *h) {
  int j = 0;
  for (; j + 4 <= H; j += 4) {
    v128_t cv = wasm_v128_load(c + j), hv;
    cell4(wasm_v128_load(gates + j), wasm_v128_load(gates + H + j), wasm_v128_load(gates + 2 * H + j),
          wasm_v128_load(gates + 3 * H + j), &cv, &hv);
    wasm_v128_store(c + j, cv);
    wasm_v128_store(h + j, hv);
  }
  if (j < H) {
    float t[6][4] = {{0}};
    int n = H - j;
    for (int u = 0; u < n; u++) {
      for (int g = 0; g < 4; g++) t[g][u] = gates[g * H + j + u];
      t[4][u] = c[j + u];
    }
    v128_t cv = wasm_v128_load(t[4]), hv;
    cell4(wasm_v128_load(t[0]), wasm_v128_load(t[1]), wasm_v128_load(t[2]), wasm_v128_load(t[3]), &cv, &hv);
    wasm_v128_store(t[4], cv);
    wasm_v128_store(t[5], hv);
    for (int u = 0; u < n; u++) {
      c[j + u] = t[4][u];
      h[j + u] = t[5][u];
    }
  }
}
