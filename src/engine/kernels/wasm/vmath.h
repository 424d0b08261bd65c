/*
 * Vector math shared by the element-wise kernels (cells.c, train.c): exp, sigmoid and tanh on four lanes.
 *
 * exp is the Cephes single-precision scheme (Cody-Waite reduction by ln 2, degree-6 polynomial, exponent
 * bits for 2^n): within 2 ulp of the true value over the clamped range. sigmoid(x) = 1 / (1 + e^-x) and
 * tanh(x) = 2 · sigmoid(2x) - 1 (absolute error ~1e-7 near 0, where relative accuracy does not matter here).
 */
#ifndef INKLING_VMATH_H
#define INKLING_VMATH_H
#include <wasm_simd128.h>

static inline v128_t exp4(v128_t x) {
  x = wasm_f32x4_pmax(wasm_f32x4_splat(-87.3f), wasm_f32x4_pmin(wasm_f32x4_splat(88.3f), x));
  v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
  v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(5.0000001201e-1f));
  v128_t y = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), r), wasm_f32x4_splat(1.0f));
  v128_t e = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(y, e);
}

static inline v128_t sigmoid4(v128_t x) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  return wasm_f32x4_div(one, wasm_f32x4_add(one, exp4(wasm_f32x4_neg(x))));
}

static inline v128_t tanh4(v128_t x) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  v128_t s = sigmoid4(wasm_f32x4_add(x, x));
  return wasm_f32x4_sub(wasm_f32x4_add(s, s), one);
}

#endif
