import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createKernels, JsKernels, WasmKernels, type Kernels } from '../../src/engine/kernels';
import { locateWasm } from '../../src/engine/kernels/wasm/locate';
import path from 'node:path';

import { rng } from '../helpers/random';

interface Case {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
}

/** Naive double-precision reference: value and sum of |terms| (for a rounding tolerance) of op(A)·op(B). */
function reference(
  { transA, transB, m, n, k }: Case, a: Float32Array, lda: number, b: Float32Array, ldb: number,
): { val: Float64Array; mag: Float64Array } {
  const val = new Float64Array(m * n);
  const mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < k; p++) {
        const x = (transA ? a[p * lda + i]! : a[i * lda + p]!) * (transB ? b[j * ldb + p]! : b[p * ldb + j]!);
        s += x;
        t += Math.abs(x);
      }
      val[i * n + j] = s;
      mag[i * n + j] = t;
    }
  }
  return { val, mag };
}

/** Float32 rounding allowance for a sum whose terms have absolute sum `mag` on top of a value `base`. */
function tol(mag: number, base: number): number {
  return 2e-6 * mag + 2e-7 * Math.abs(base) + 1e-7;
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [3, 5, 7], [33, 65, 17], [64, 1, 300], [1, 64, 300], [5, 3, 0], [0, 4, 3], [7, 9, 1],
  [130, 1030, 260], [4, 8, 256], [129, 17, 513], [6, 45, 4100], [8, 1030, 3], [2, 16, 5],
];
const TRANS: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];
const label = (c: Case): string => `${c.transA ? 'T' : 'N'}${c.transB ? 'T' : 'N'} ${c.m}x${c.n}x${c.k}`;

/**
 * Runs one case with operands embedded as column blocks (at an offset) of wider matrices, so strides and
 * sub-array pointers are exercised, and checks C against the reference and that C's surroundings are untouched.
 */
function runCase(K: Kernels, c: Case, opts: { accumulate: boolean; pad: number; seed: number }): void {
  const { transA, transB, m, n, k } = c;
  const r = rng(opts.seed);
  const [aRows, aCols] = transA ? [k, m] : [m, k];
  const [bRows, bCols] = transB ? [n, k] : [k, n];
  const lda = aCols + opts.pad;
  const ldb = bCols + 2 * opts.pad;
  const ldc = n + opts.pad;
  const off = opts.pad > 0 ? 3 : 0;
  const aBuf = K.alloc(off + aRows * lda);
  const bBuf = K.alloc(off + bRows * ldb);
  const cBuf = K.alloc(off + m * ldc + opts.pad);
  aBuf.forEach((_, i) => (aBuf[i] = r()));
  bBuf.forEach((_, i) => (bBuf[i] = r()));
  // Overwrite mode must ignore what is in C, even NaN; accumulate mode adds to it.
  cBuf.forEach((_, i) => (cBuf[i] = opts.accumulate ? r() : Number.NaN));
  const before = Float32Array.from(cBuf);
  const a = aBuf.subarray(off);
  const b = bBuf.subarray(off);
  const cv = cBuf.subarray(off);
  const ref = reference(c, a, lda, b, ldb);
  K.gemm(transA, transB, m, n, k, a, lda, b, ldb, cv, ldc, opts.accumulate);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const base = opts.accumulate ? before[off + i * ldc + j]! : 0;
      const want = base + ref.val[i * n + j]!;
      const got = cv[i * ldc + j]!;
      if (!(Math.abs(got - want) <= tol(ref.mag[i * n + j]!, base))) {
        assert.fail(`${K.name} ${label(c)} acc=${opts.accumulate} pad=${opts.pad}: C[${i}][${j}] = ${got}, want ${want}`);
      }
    }
  }
  // Nothing outside the m x n block of C may change.
  for (let idx = 0; idx < cBuf.length; idx++) {
    const rel = idx - off;
    const inBlock = rel >= 0 && Math.floor(rel / ldc) < m && rel % ldc < n;
    if (!inBlock && !Object.is(cBuf[idx], before[idx])) {
      assert.fail(`${K.name} ${label(c)}: wrote outside C at element ${idx}`);
    }
  }
  K.free(aBuf);
  K.free(bBuf);
  K.free(cBuf);
}

/** Compares against tf.matMul (cpu backend) with transposeA/transposeB. */
function compareWithTf(K: Kernels, c: Case, seed: number): void {
  const { transA, transB, m, n, k } = c;
  const r = rng(seed);
  const a = K.alloc(m * k);
  const b = K.alloc(k * n);
  const out = K.alloc(m * n);
  a.forEach((_, i) => (a[i] = r()));
  b.forEach((_, i) => (b[i] = r()));
  K.gemm(transA, transB, m, n, k, a, transA ? m : k, b, transB ? k : n, out, n, false);
  const want = tf.tidy(() =>
    tf.matMul(tf.tensor2d(a, transA ? [k, m] : [m, k]), tf.tensor2d(b, transB ? [n, k] : [k, n]), transA, transB)
      .dataSync() as Float32Array,
  );
  const ref = reference(c, a, transA ? m : k, b, transB ? k : n);
  for (let i = 0; i < m * n; i++) {
    if (!(Math.abs(out[i]! - want[i]!) <= 2 * tol(ref.mag[i]!, 0))) {
      assert.fail(`${K.name} ${label(c)} vs tf.matMul: element ${i} = ${out[i]}, tf says ${want[i]}`);
    }
  }
  K.free(a);
  K.free(b);
  K.free(out);
}

function suite(name: string, make: () => Promise<Kernels>, needsWasm: boolean): void {
  describe(name, function () {
    let K: Kernels | undefined;
    before(async function () {
      if (needsWasm && !locateWasm(path.join(__dirname, '../../src/engine/kernels/wasm')).path) {
        console.log('      (inkling-kernels.wasm is not built: run node scripts/build-wasm.mjs; skipping)');
        this.skip();
      }
      K = await make();
    });
    after(() => K?.dispose());
    const kern = (): Kernels => K!;

    for (const [transA, transB] of TRANS) {
      it(`op ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}: odd shapes, overwrite and accumulate, vs naive float64`, () => {
        let seed = 1;
        for (const [m, n, k] of SHAPES) {
          for (const accumulate of [false, true]) {
            runCase(kern(), { transA, transB, m, n, k }, { accumulate, pad: 0, seed: seed++ });
          }
        }
      });
      it(`op ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}: sub-matrices with strides and offsets`, () => {
        let seed = 100;
        for (const [m, n, k] of [[3, 5, 7], [33, 65, 17], [64, 1, 300], [37, 70, 129]] as const) {
          for (const accumulate of [false, true]) {
            runCase(kern(), { transA, transB, m, n, k }, { accumulate, pad: 5, seed: seed++ });
          }
        }
      });
      it(`op ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}: agrees with tf.matMul`, () => {
        for (const [m, n, k] of [[1, 1, 1], [3, 5, 7], [33, 65, 17], [64, 1, 300], [32, 256, 96]] as const) {
          compareWithTf(kern(), { transA, transB, m, n, k }, m * 31 + n);
        }
      });
    }

    it('alloc is zero-filled; free lets memory be reused', () => {
      const K1 = kern();
      const x = K1.alloc(1000);
      x.fill(7);
      K1.free(x);
      const y = K1.alloc(1000);
      assert.ok(y.every((v) => v === 0));
      K1.free(y);
      assert.equal(K1.alloc(0).length, 0);
    });

    it('rejects strides and buffers that do not fit', () => {
      const K1 = kern();
      const a = K1.alloc(6);
      const b = K1.alloc(5);
      const c = K1.alloc(4);
      assert.throws(() => K1.gemm(false, false, 2, 2, 3, a, 2, b, 2, c, 2, false), /lda = 2/);
      assert.throws(() => K1.gemm(false, false, 2, 2, 3, a, 3, b, 2, c, 2, false), /needs 6 elements/); // b too short
      assert.throws(() => K1.gemm(false, false, 2, 3, 3, a, 3, b, 3, c, 3, false), RangeError); // c too short
      assert.throws(() => K1.gemm(false, false, 2.5, 2, 3, a, 3, b, 2, c, 2, false), RangeError);
    });
  });
}

describe('kernels vs references', () => {
  // tf.matMul on the cpu backend is the reference; restore whatever backend other test files use.
  let previous = '';
  before(async () => {
    previous = tf.getBackend();
    await tf.setBackend('cpu');
  });
  after(async () => {
    if (previous && previous !== 'cpu') await tf.setBackend(previous);
  });

  suite('JsKernels', async () => new JsKernels(), false);
  suite('WasmKernels, 1 thread', async () => WasmKernels.create({ threads: 1 }), true);
  // Threshold 0: every gemm is split, so edge tiles land on the worker too.
  suite('WasmKernels, 2 threads', async () => WasmKernels.create({ threads: 2, parallelThreshold: 0 }), true);
  suite('WasmKernels, 3 threads', async () => WasmKernels.create({ threads: 3, parallelThreshold: 0 }), true);
});

describe('WasmKernels specifics', function () {
  let K: WasmKernels | undefined;
  before(async function () {
    if (!locateWasm(path.join(__dirname, '../../src/engine/kernels/wasm')).path) {
      console.log('      (inkling-kernels.wasm is not built; skipping)');
      this.skip();
    }
    K = await WasmKernels.create({ threads: 2, parallelThreshold: 0 });
  });
  after(() => K?.dispose());

  it('rejects a Float32Array that is not from its memory', () => {
    const a = K!.alloc(4);
    assert.throws(() => K!.gemm(false, false, 2, 2, 2, new Float32Array(4), 2, a, 2, a, 2, false), /not a buffer from/);
    assert.throws(() => K!.free(new Float32Array(4)), /not allocated/);
    K!.free(a);
  });

  it('recognises its buffers after other memories grow and workers start, and rejects another set\'s', async () => {
    const mine = K!.alloc(64);
    const other = await WasmKernels.create({ threads: 2 }); // starting a worker makes V8 renew memory.buffer objects
    const theirs = other.alloc(1 << 22); // and so does growing a shared memory
    mine.fill(1);
    const c = K!.alloc(1);
    K!.gemm(false, false, 1, 1, 64, mine, 64, mine, 1, c, 1, false);
    assert.equal(c[0], 64);
    assert.throws(() => K!.gemm(false, false, 1, 1, 64, mine, 64, theirs, 1, c, 1, false), /b is not a buffer from/);
    assert.throws(() => other.free(mine), /not allocated/);
    other.dispose();
    K!.free(mine);
    K!.free(c);
  });

  it('stays correct over many back-to-back split gemms (job hand-over between threads)', () => {
    const js = new JsKernels();
    const r = rng(7);
    const a = K!.alloc(40 * 40);
    const b = K!.alloc(40 * 40);
    const c = K!.alloc(40 * 40);
    a.forEach((_, i) => (a[i] = r()));
    b.forEach((_, i) => (b[i] = r()));
    const want = new Float32Array(40 * 40);
    for (let iter = 0; iter < 3000; iter++) {
      const m = 1 + (iter % 40), n = 1 + ((iter * 7) % 40), k = 1 + ((iter * 13) % 40);
      const tA = (iter & 1) === 1, tB = (iter & 2) === 2;
      K!.gemm(tA, tB, m, n, k, a, tA ? m : k, b, tB ? k : n, c, n, false);
      js.gemm(tA, tB, m, n, k, a, tA ? m : k, b, tB ? k : n, want, n, false);
      for (let i = 0; i < m * n; i++) {
        if (Math.abs(c[i]! - want[i]!) > 1e-4) assert.fail(`iteration ${iter}: element ${i} = ${c[i]}, want ${want[i]}`);
      }
    }
    for (const x of [a, b, c]) K!.free(x);
  });

  it('refuses to free a sub-array or the same buffer twice', () => {
    const a = K!.alloc(64);
    assert.throws(() => K!.free(a.subarray(16)), /no live block/);
    K!.free(a);
    assert.throws(() => K!.free(a), /no live block/);
  });

  it('grows memory; views made before growing stay valid and usable', () => {
    const small = K!.alloc(256);
    small.fill(1);
    const before = K!.memoryStats().memoryBytes;
    const big = K!.alloc(16 * 1024 * 1024); // 64 MiB
    assert.ok(K!.memoryStats().memoryBytes > before);
    assert.ok(small.every((v) => v === 1));
    // Old view as A, new views as B and C, across threads.
    const b = K!.alloc(256 * 8);
    b.fill(0.5);
    const c = big.subarray(big.length - 8);
    K!.gemm(false, false, 1, 8, 256, small, 256, b, 8, c, 8, false);
    assert.deepEqual(Array.from(c), new Array(8).fill(128));
    K!.free(big);
    K!.free(b);
    K!.free(small);
  });

  it('cannot be used after dispose', async () => {
    const K2 = await WasmKernels.create({ threads: 2 });
    const a = K2.alloc(4);
    K2.dispose();
    assert.throws(() => K2.gemm(false, false, 2, 2, 2, a, 2, a, 2, a, 2, false), /after dispose/);
  });
});

describe('createKernels', () => {
  it('gives JS kernels when asked', async () => {
    const { kernels, fallbackReason } = await createKernels({ prefer: 'js' });
    assert.equal(kernels.name, 'js');
    assert.equal(fallbackReason, undefined);
    kernels.dispose();
  });

  it('falls back to JS with a reason when the .wasm is missing', async () => {
    const { kernels, fallbackReason } = await createKernels({ wasmPath: path.join(__dirname, 'no-such.wasm') });
    assert.equal(kernels.name, 'js');
    assert.match(fallbackReason ?? '', /not found/);
    kernels.dispose();
  });

  it('gives wasm kernels with the requested threads when built', async function () {
    if (!locateWasm(path.join(__dirname, '../../src/engine/kernels/wasm')).path) this.skip();
    const { kernels, fallbackReason } = await createKernels({ threads: 2 });
    assert.equal(fallbackReason, undefined);
    assert.equal(kernels.name, 'wasm-simd x2');
    assert.equal(kernels.threads, 2);
    kernels.dispose();
  });
});
