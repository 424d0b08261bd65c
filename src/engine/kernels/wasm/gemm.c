/*
 * Inkling SGEMM for WebAssembly SIMD (wasm32 + simd128).
 *
 *   C[m,n] = op(A)[m,k] * op(B)[k,n] + (accumulate ? C : 0)      row-major, strides in elements
 *
 * Blocked in the usual three-level way: a KC x NC block of op(B) and an MC x KC block of op(A) are packed
 * into contiguous panels in caller-provided scratch memory (so every transpose combination runs the same
 * inner kernel on unit-stride data), and an MR x NR register tile of C is computed by the micro-kernel.
 * Edge tiles are zero-padded in the packed panels and written back partially. With at most SMALL_M rows
 * and B not transposed (matrix-vector products at inference), B is read in place instead of packed.
 * The tile sizes were chosen by measurement in V8: a 6x8 tile (12 accumulators) spills and runs ~40% slower.
 *
 * The module keeps no global state and puts nothing on the C stack, so several instances (threads) can
 * share one linear memory as long as each passes its own scratch region.
 */
#include <wasm_simd128.h>
#include <stdint.h>

#define MR 4
#define NR 8
#define KC 256
#define MC 128
#define NC 1024
/* Up to this many rows of C, op(B) = B is read in place instead of packed (see gemm_small_m). */
#ifndef SMALL_M
#define SMALL_M 8
#endif
/* Rows of packed A in gemm_small_m (SMALL_M rounded up to whole MR panels). */
#define SMALL_M_ROWS ((SMALL_M + MR - 1) / MR * MR)

typedef float f32;

/* Bytes of scratch one gemm call needs (one per thread). */
__attribute__((export_name("gemm_scratch_bytes")))
uint32_t gemm_scratch_bytes(void) {
  return (uint32_t)((MC * KC + KC * NC) * sizeof(f32) + 64);
}

/* 4x4 transpose of rows r0..r3 (each 4 consecutive floats) into columns. */
#define TRANSPOSE4(r0, r1, r2, r3)                                          \
  do {                                                                      \
    v128_t t0_ = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);                    \
    v128_t t1_ = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);                    \
    v128_t t2_ = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);                    \
    v128_t t3_ = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);                    \
    r0 = wasm_i32x4_shuffle(t0_, t2_, 0, 1, 4, 5);                          \
    r1 = wasm_i32x4_shuffle(t0_, t2_, 2, 3, 6, 7);                          \
    r2 = wasm_i32x4_shuffle(t1_, t3_, 0, 1, 4, 5);                          \
    r3 = wasm_i32x4_shuffle(t1_, t3_, 2, 3, 6, 7);                          \
  } while (0)

/*
 * Pack `mc` rows x `kc` columns of op(A), starting at op(A)[0][0] = a, into MR-row panels:
 * dst[panel][p][r] = op(A)[panel*MR + r][p]. Rows past mc are zero.
 */
static void pack_a(int transA, int mc, int kc, const f32 *a, int lda, f32 *dst) {
  for (int i = 0; i < mc; i += MR) {
    int mr = mc - i < MR ? mc - i : MR;
    if (transA) {
      /* op(A)[i+r][p] = a[p*lda + i + r]: MR consecutive floats per p. */
      const f32 *src = a + i;
      if (mr == MR) {
        for (int p = 0; p < kc; p++) {
          wasm_v128_store(dst + p * MR, wasm_v128_load(src + p * lda));
        }
      } else {
        for (int p = 0; p < kc; p++) {
          for (int r = 0; r < MR; r++) dst[p * MR + r] = r < mr ? src[p * lda + r] : 0.0f;
        }
      }
    } else {
      /* op(A)[i+r][p] = a[(i+r)*lda + p]: MR strided rows, transposed 4x4 at a time. */
      const f32 *s0 = a + i * lda;
      if (mr == MR) {
        const f32 *s1 = s0 + lda, *s2 = s1 + lda, *s3 = s2 + lda;
        int p = 0;
        for (; p + 4 <= kc; p += 4) {
          v128_t r0 = wasm_v128_load(s0 + p), r1 = wasm_v128_load(s1 + p);
          v128_t r2 = wasm_v128_load(s2 + p), r3 = wasm_v128_load(s3 + p);
          TRANSPOSE4(r0, r1, r2, r3);
          wasm_v128_store(dst + p * MR, r0);
          wasm_v128_store(dst + p * MR + 4, r1);
          wasm_v128_store(dst + p * MR + 8, r2);
          wasm_v128_store(dst + p * MR + 12, r3);
        }
        for (; p < kc; p++) {
          dst[p * MR + 0] = s0[p];
          dst[p * MR + 1] = s1[p];
          dst[p * MR + 2] = s2[p];
          dst[p * MR + 3] = s3[p];
        }
      } else {
        for (int p = 0; p < kc; p++) {
          for (int r = 0; r < MR; r++) dst[p * MR + r] = r < mr ? s0[r * lda + p] : 0.0f;
        }
      }
    }
    dst += MR * kc;
  }
}

/*
 * Pack `kc` rows x `nc` columns of op(B), starting at op(B)[0][0] = b, into NR-column panels:
 * dst[panel][p][c] = op(B)[p][panel*NR + c]. Columns past nc are zero.
 */
static void pack_b(int transB, int kc, int nc, const f32 *b, int ldb, f32 *dst) {
  for (int j = 0; j < nc; j += NR) {
    int nr = nc - j < NR ? nc - j : NR;
    if (!transB) {
      /* op(B)[p][j+c] = b[p*ldb + j + c]: contiguous. */
      const f32 *src = b + j;
      if (nr == NR) {
        for (int p = 0; p < kc; p++) {
          const f32 *s = src + p * ldb;
          wasm_v128_store(dst + p * NR, wasm_v128_load(s));
          wasm_v128_store(dst + p * NR + 4, wasm_v128_load(s + 4));
        }
      } else {
        for (int p = 0; p < kc; p++) {
          for (int c = 0; c < NR; c++) dst[p * NR + c] = c < nr ? src[p * ldb + c] : 0.0f;
        }
      }
    } else {
      /* op(B)[p][j+c] = b[(j+c)*ldb + p]: NR strided rows of B, transposed 4x4 at a time. */
      const f32 *s0 = b + j * ldb;
      if (nr == NR) {
        const f32 *s1 = s0 + ldb, *s2 = s1 + ldb, *s3 = s2 + ldb;
        const f32 *s4 = s3 + ldb, *s5 = s4 + ldb, *s6 = s5 + ldb, *s7 = s6 + ldb;
        int p = 0;
        for (; p + 4 <= kc; p += 4) {
          v128_t r0 = wasm_v128_load(s0 + p), r1 = wasm_v128_load(s1 + p);
          v128_t r2 = wasm_v128_load(s2 + p), r3 = wasm_v128_load(s3 + p);
          v128_t r4 = wasm_v128_load(s4 + p), r5 = wasm_v128_load(s5 + p);
          v128_t r6 = wasm_v128_load(s6 + p), r7 = wasm_v128_load(s7 + p);
          TRANSPOSE4(r0, r1, r2, r3);
          TRANSPOSE4(r4, r5, r6, r7);
          f32 *d = dst + p * NR;
          wasm_v128_store(d + 0, r0);
          wasm_v128_store(d + 4, r4);
          wasm_v128_store(d + 8, r1);
          wasm_v128_store(d + 12, r5);
          wasm_v128_store(d + 16, r2);
          wasm_v128_store(d + 20, r6);
          wasm_v128_store(d + 24, r3);
          wasm_v128_store(d + 28, r7);
        }
        for (; p < kc; p++) {
          f32 *d = dst + p * NR;
          d[0] = s0[p]; d[1] = s1[p]; d[2] = s2[p]; d[3] = s3[p];
          d[4] = s4[p]; d[5] = s5[p]; d[6] = s6[p]; d[7] = s7[p];
        }
      } else {
        for (int p = 0; p < kc; p++) {
          for (int c = 0; c < NR; c++) dst[p * NR + c] = c < nr ? s0[c * ldb + p] : 0.0f;
        }
      }
    }
    dst += NR * kc;
  }
}

/* Writes the first n (0..4) lanes of v to dst, adding to what is there if beta. */
static inline void store_part(f32 *dst, v128_t v, int n, int beta) {
  if (n >= 4) {
    if (beta) v = wasm_f32x4_add(v, wasm_v128_load(dst));
    wasm_v128_store(dst, v);
    return;
  }
  if (n >= 1) dst[0] = (beta ? dst[0] : 0.0f) + wasm_f32x4_extract_lane(v, 0);
  if (n >= 2) dst[1] = (beta ? dst[1] : 0.0f) + wasm_f32x4_extract_lane(v, 1);
  if (n >= 3) dst[2] = (beta ? dst[2] : 0.0f) + wasm_f32x4_extract_lane(v, 2);
}

static inline void store_row(f32 *dst, v128_t lo, v128_t hi, int nr, int beta) {
  if (nr == NR) {
    if (beta) {
      lo = wasm_f32x4_add(lo, wasm_v128_load(dst));
      hi = wasm_f32x4_add(hi, wasm_v128_load(dst + 4));
    }
    wasm_v128_store(dst, lo);
    wasm_v128_store(dst + 4, hi);
  } else {
    store_part(dst, lo, nr, beta);
    if (nr > 4) store_part(dst + 4, hi, nr - 4, beta);
  }
}

#define FMA(acc, x, y) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(x, y))

/*
 * C[0:mr, 0:nr] (+)= packedA[MR x kc] * B[kc x NR], where B is a packed panel (ldb = NR) or op(B) = B read in
 * place (row stride ldb: for a few rows of C every element of B is used only a few times, so packing it would
 * cost more memory traffic than the product). Always inlined, so each call site gets its constants folded.
 */
static inline __attribute__((always_inline)) void micro_4x8(int kc, const f32 *pa, const f32 *b, int ldb, f32 *c, int ldc, int mr, int nr, int beta) {
  v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++) {
    v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    v128_t a;
    a = wasm_v128_load32_splat(pa + 0); FMA(c00, a, b0); FMA(c01, a, b1);
    a = wasm_v128_load32_splat(pa + 1); FMA(c10, a, b0); FMA(c11, a, b1);
    a = wasm_v128_load32_splat(pa + 2); FMA(c20, a, b0); FMA(c21, a, b1);
    a = wasm_v128_load32_splat(pa + 3); FMA(c30, a, b0); FMA(c31, a, b1);
    pa += MR;
    b += ldb;
  }
  store_row(c, c00, c01, nr, beta);
  if (mr > 1) store_row(c + ldc, c10, c11, nr, beta);
  if (mr > 2) store_row(c + 2 * ldc, c20, c21, nr, beta);
  if (mr > 3) store_row(c + 3 * ldc, c30, c31, nr, beta);
}

/* One row of C, 16 columns: pa walks packed A with stride MR. */
static inline void direct_1x16(int kc, const f32 *pa, const f32 *b, int ldb, f32 *c, int beta) {
  v128_t c0 = wasm_f32x4_splat(0), c1 = c0, c2 = c0, c3 = c0;
  for (int p = 0; p < kc; p++) {
    v128_t a = wasm_v128_load32_splat(pa);
    FMA(c0, a, wasm_v128_load(b));
    FMA(c1, a, wasm_v128_load(b + 4));
    FMA(c2, a, wasm_v128_load(b + 8));
    FMA(c3, a, wasm_v128_load(b + 12));
    pa += MR;
    b += ldb;
  }
  store_row(c, c0, c1, NR, beta);
  store_row(c + 8, c2, c3, NR, beta);
}

/* One row of C, 8 columns. */
static inline void direct_1x8(int kc, const f32 *pa, const f32 *b, int ldb, f32 *c, int beta) {
  v128_t c0 = wasm_f32x4_splat(0), c1 = c0;
  for (int p = 0; p < kc; p++) {
    v128_t a = wasm_v128_load32_splat(pa);
    FMA(c0, a, wasm_v128_load(b));
    FMA(c1, a, wasm_v128_load(b + 4));
    pa += MR;
    b += ldb;
  }
  store_row(c, c0, c1, NR, beta);
}

/*
 * C (+)= op(A) * B for m <= SMALL_M (op(B) not transposed). A is packed (it is small); B is read in place in
 * full NR-column strips; the last n % NR columns go through a packed, zero-padded strip.
 */
static void gemm_small_m(int transA, int m, int n, int k, const f32 *a, int lda, const f32 *b, int ldb,
                         f32 *c, int ldc, int accumulate, f32 *packA, f32 *packB) {
  const int kcMax = MC * KC / SMALL_M_ROWS;
  int nFull = n - n % NR;
  for (int pc = 0; pc < k; pc += kcMax) {
    int kc = k - pc < kcMax ? k - pc : kcMax;
    int beta = pc > 0 || accumulate;
    pack_a(transA, m, kc, transA ? a + pc * lda : a + pc, lda, packA);
    const f32 *bp = b + pc * ldb;
    for (int i = 0; i < m; i += MR) {
      int mr = m - i < MR ? m - i : MR;
      const f32 *pa = packA + i * kc;
      f32 *ci = c + i * ldc;
      if (mr == MR) {
        for (int j = 0; j < nFull; j += NR) micro_4x8(kc, pa, bp + j, ldb, ci + j, ldc, MR, NR, beta);
      } else {
        for (int r = 0; r < mr; r++) {
          int j = 0;
          for (; j + 2 * NR <= nFull; j += 2 * NR) direct_1x16(kc, pa + r, bp + j, ldb, ci + r * ldc + j, beta);
          for (; j < nFull; j += NR) direct_1x8(kc, pa + r, bp + j, ldb, ci + r * ldc + j, beta);
        }
      }
      if (nFull < n) {
        pack_b(0, kc, n - nFull, bp + nFull, ldb, packB);
        micro_4x8(kc, pa, packB, NR, ci + nFull, ldc, mr, n - nFull, beta);
      }
    }
  }
}

/*
 * The exported entry point. Pointers are byte addresses in linear memory; all counts and strides are in
 * elements. `scratch` must hold gemm_scratch_bytes() bytes and must not be shared with a concurrent call.
 */
__attribute__((export_name("gemm")))
void gemm(int transA, int transB, int m, int n, int k,
          const f32 *a, int lda, const f32 *b, int ldb, f32 *c, int ldc,
          int accumulate, void *scratch) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) {
      for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[i * ldc + j] = 0.0f;
    }
    return;
  }
  f32 *packA = (f32 *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
  f32 *packB = packA + MC * KC;
  if (m <= SMALL_M && !transB) {
    gemm_small_m(transA, m, n, k, a, lda, b, ldb, c, ldc, accumulate, packA, packB);
    return;
  }

  for (int jc = 0; jc < n; jc += NC) {
    int nc = n - jc < NC ? n - jc : NC;
    for (int pc = 0; pc < k; pc += KC) {
      int kc = k - pc < KC ? k - pc : KC;
      int beta = pc > 0 || accumulate;
      /* op(B)[pc][jc] */
      const f32 *bsrc = transB ? b + jc * ldb + pc : b + pc * ldb + jc;
      pack_b(transB, kc, nc, bsrc, ldb, packB);
      for (int ic = 0; ic < m; ic += MC) {
        int mc = m - ic < MC ? m - ic : MC;
        /* op(A)[ic][pc] */
        const f32 *asrc = transA ? a + pc * lda + ic : a + ic * lda + pc;
        pack_a(transA, mc, kc, asrc, lda, packA);
        for (int jr = 0; jr < nc; jr += NR) {
          int nr = nc - jr < NR ? nc - jr : NR;
          const f32 *pb = packB + jr * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            int mr = mc - ir < MR ? mc - ir : MR;
            micro_4x8(kc, packA + ir * kc, pb, NR, c + (ic + ir) * ldc + jc + jr, ldc, mr, nr, beta);
          }
        }
      }
    }
  }
}

/*
 * op(B) [k, n] packed once for many products with the same right-hand side (the recurrent kernel over the
 * time steps of a batch): KC-row blocks one after the other, block `pc` at dst + pc · nTot (nTot = n rounded
 * up to NR), each block laid out as pack_b writes it. Needs k · nTot floats.
 */
void pack_b_full(int transB, int k, int n, const f32 *b, int ldb, f32 *dst) {
  const int nTot = (n + NR - 1) / NR * NR;
  for (int pc = 0; pc < k; pc += KC) {
    int kc = k - pc < KC ? k - pc : KC;
    pack_b(transB, kc, n, transB ? b + pc : b + pc * ldb, ldb, dst + pc * nTot);
  }
}

/*
 * For g < count: C_g[m, n] (+)= A[m, k] · op(B_g)[:, col0 : col0 + n], where op(B_g) = pb + g · pbStride was
 * packed by pack_b_full (nTot columns in all; col0 a multiple of NR) and C_g = c + g · cStride. A is packed
 * once per block into `scratch` (gemm_scratch_bytes()) for all g (the gates of a recurrent step share it).
 */
void gemm_pb(int m, int n, int k, const f32 *a, int lda, const f32 *pb, int nTot, int col0,
             f32 *c, int ldc, int accumulate, void *scratch, int count, int pbStride, int cStride) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) {
      for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[i * ldc + j] = 0.0f;
    }
    return;
  }
  f32 *packA = (f32 *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
  for (int pc = 0; pc < k; pc += KC) {
    int kc = k - pc < KC ? k - pc : KC;
    int beta = pc > 0 || accumulate;
    for (int ic = 0; ic < m; ic += MC) {
      int mc = m - ic < MC ? m - ic : MC;
      pack_a(0, mc, kc, a + ic * lda + pc, lda, packA);
      for (int g = 0; g < count; g++) {
        const f32 *block = pb + g * pbStride + pc * nTot + col0 * kc;
        f32 *cg = c + g * cStride;
        for (int jr = 0; jr < n; jr += NR) {
          int nr = n - jr < NR ? n - jr : NR;
          const f32 *p = block + jr * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            int mr = mc - ir < MR ? mc - ir : MR;
            micro_4x8(kc, packA + ir * kc, p, NR, cg + (ic + ir) * ldc + jr, ldc, mr, nr, beta);
          }
        }
      }
    }
  }
}
