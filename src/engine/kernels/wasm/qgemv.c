/*
 * Quantized matrix-vector product for batch-1 inference (wasm32 + simd128).
 *
 *   y[0:n] (+)= x[0:k] · W[k, n]
 *
 * W is int8 with one float32 scale per column (quantized once, in TypeScript: see quantizeMatrix in
 * kernels/quantized.ts); x is quantized per call to int16 with one scale; products are summed exactly in int32
 * with i32x4.dot_i16x8_s and rescaled once per column: y[j] = acc[j] · (wscale[j] · xscale), in float32.
 *
 * Packed layout of W (kp = k rounded up to even, np = n rounded up to a multiple of 8): column panels of QB
 * columns (the last one np % QB wide when that is not zero), each contiguous; panel j0 starts at byte j0 · kp
 * and holds, for each pair p in 0..kp/2 and each column j of the panel, the two bytes
 * (q(W[2p][j]), q(W[2p+1][j])). One 16-byte load thus holds 8 columns x 2 rows; widened to two i16x8 it feeds
 * two dot products with the splatted int16 pair (xq[2p], xq[2p+1]). Rows and columns of padding are zero.
 *
 * Overflow: |q(W)| <= 127 and |xq| <= min(16383, floor((2^31 - 1) / (k · 127))), so |acc| <= 2^31 - 1.
 * Rounding is round-half-to-even throughout (f32.nearest), which the TypeScript reference reproduces exactly.
 *
 * Like gemm.c the module keeps no global state; the packed x goes in the caller's scratch region.
 */
#include <wasm_simd128.h>
#include <stdint.h>

/* Columns per panel: 8 i32x4 accumulators, which stay in registers with the 4 weight vectors. */
#define QB 32

/* Largest |xq| for a k-long product (see the overflow note above). */
static int xq_limit(int k) {
  int64_t lim = (int64_t)2147483647 / ((int64_t)(k > 0 ? k : 1) * 127);
  return lim < 16383 ? (int)lim : 16383;
}

__attribute__((export_name("qgemv_xq_limit")))
int qgemv_xq_limit(int k) {
  return xq_limit(k);
}

/* Round half to even, then convert saturating (NaN -> 0), exactly as the vector loop does. */
static inline int qround(float v) {
  return wasm_i32x4_extract_lane(wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_splat(v))), 0);
}

/*
 * Quantizes x[0:k] into kp/2 int16 pairs at xq (as int32 words: low half x[2p], high half x[2p+1]) and returns
 * the scale (max|x| / limit), or 0 when x is all zeros (then xq is left unwritten).
 */
static float quantize_x(int k, const float *x, int32_t *xq) {
  v128_t m4 = wasm_f32x4_splat(0.0f);
  int p = 0;
  for (; p + 4 <= k; p += 4) m4 = wasm_f32x4_pmax(m4, wasm_f32x4_abs(wasm_v128_load(x + p)));
  m4 = wasm_f32x4_pmax(m4, wasm_i32x4_shuffle(m4, m4, 2, 3, 0, 1));
  m4 = wasm_f32x4_pmax(m4, wasm_i32x4_shuffle(m4, m4, 1, 0, 3, 2));
  float m = wasm_f32x4_extract_lane(m4, 0);
  for (; p < k; p++) {
    float v = __builtin_fabsf(x[p]);
    if (v > m) m = v; /* NaN is skipped, as by pmax above */
  }
  if (!(m > 0.0f)) return 0.0f; /* all zeros (or NaN): the product is zero */
  const float lim = (float)xq_limit(k);
  const float inv = lim / m;
  const v128_t inv4 = wasm_f32x4_splat(inv);
  int half = k >> 1;
  p = 0;
  /* Four pairs (8 values) at a time: round, convert, narrow to i16 (values are within the limit). */
  for (; p + 4 <= half; p += 4) {
    v128_t a = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(wasm_v128_load(x + 2 * p), inv4)));
    v128_t b = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(wasm_v128_load(x + 2 * p + 4), inv4)));
    wasm_v128_store(xq + p, wasm_i16x8_narrow_i32x4(a, b));
  }
  for (; p < half; p++) {
    int lo = qround(x[2 * p] * inv);
    int hi = qround(x[2 * p + 1] * inv);
    xq[p] = (int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xffff));
  }
  if (k & 1) xq[half] = (int32_t)((uint32_t)qround(x[k - 1] * inv) & 0xffff);
  return m / lim;
}

#define DOT2(acc0, acc1, wv, xv)                                                        \
  do {                                                                                  \
    acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(wv), xv));  \
    acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(wv), xv)); \
  } while (0)

/* y[j0 + 0:4·count] (+)= acc · wscale · xs, writing only columns below n. */
static inline void store4(float *y, const float *ws, v128_t acc, v128_t xs4, int j, int n, int beta) {
  v128_t v = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), wasm_f32x4_mul(wasm_v128_load(ws + j), xs4));
  if (j + 4 <= n) {
    if (beta) v = wasm_f32x4_add(wasm_v128_load(y + j), v);
    wasm_v128_store(y + j, v);
    return;
  }
  float t[4];
  wasm_v128_store(t, v);
  for (int c = 0; c < 4 && j + c < n; c++) y[j + c] = beta ? y[j + c] + t[c] : t[c];
}

/*
 * The exported entry point. Pointers are byte addresses in linear memory. `w` and `wscale` (np floats) as
 * described above; `x` k floats; `y` n floats; `scratch` at least 2 · k + 8 bytes, 16-byte aligned, not shared
 * with a concurrent call.
 */
__attribute__((export_name("qgemv")))
void qgemv(int k, int n, const int8_t *w, const float *wscale, const float *x, float *y, int accumulate,
           void *scratch) {
  if (n <= 0) return;
  int32_t *xq = (int32_t *)(((uintptr_t)scratch + 15) & ~(uintptr_t)15);
  float xs = k > 0 ? quantize_x(k, x, xq) : 0.0f;
  if (xs == 0.0f) {
    if (!accumulate) for (int j = 0; j < n; j++) y[j] = 0.0f;
    return;
  }
  const int kp = (k + 1) & ~1;
  const int pairs = kp >> 1;
  const int np = (n + 7) & ~7;
  const v128_t xs4 = wasm_f32x4_splat(xs);
  const v128_t z = wasm_i32x4_splat(0);
  for (int j0 = 0; j0 < np; j0 += QB) {
    const int8_t *pw = w + (uintptr_t)j0 * kp;
    if (np - j0 >= QB) {
      v128_t a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
      for (int p = 0; p < pairs; p++) {
        v128_t xv = wasm_v128_load32_splat(xq + p);
        v128_t w0 = wasm_v128_load(pw), w1 = wasm_v128_load(pw + 16);
        v128_t w2 = wasm_v128_load(pw + 32), w3 = wasm_v128_load(pw + 48);
        DOT2(a0, a1, w0, xv);
        DOT2(a2, a3, w1, xv);
        DOT2(a4, a5, w2, xv);
        DOT2(a6, a7, w3, xv);
        pw += 2 * QB;
      }
      store4(y, wscale, a0, xs4, j0 + 0, n, accumulate);
      store4(y, wscale, a1, xs4, j0 + 4, n, accumulate);
      store4(y, wscale, a2, xs4, j0 + 8, n, accumulate);
      store4(y, wscale, a3, xs4, j0 + 12, n, accumulate);
      store4(y, wscale, a4, xs4, j0 + 16, n, accumulate);
      store4(y, wscale, a5, xs4, j0 + 20, n, accumulate);
      store4(y, wscale, a6, xs4, j0 + 24, n, accumulate);
      store4(y, wscale, a7, xs4, j0 + 28, n, accumulate);
    } else {
      /* The last, narrower panel (8, 16 or 24 columns): 8 columns at a time. */
      const int nb = np - j0;
      for (int g = 0; g < nb; g += 8) {
        const int8_t *q = pw + 2 * g;
        v128_t a0 = z, a1 = z;
        for (int p = 0; p < pairs; p++) {
          v128_t xv = wasm_v128_load32_splat(xq + p);
          DOT2(a0, a1, wasm_v128_load(q), xv);
          q += 2 * nb;
        }
        store4(y, wscale, a0, xs4, j0 + g, n, accumulate);
        if (j0 + g + 4 < n) store4(y, wscale, a1, xs4, j0 + g + 4, n, accumulate);
      }
    }
  }
}
