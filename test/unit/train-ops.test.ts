import * as assert from 'node:assert/strict';
import path from 'node:path';
import { gatesOf, type CellType, type ModelConfig } from '../../src/shared/modelConfig';
import { JsKernels, WasmKernels, type Kernels } from '../../src/engine/kernels';
import { dropoutKeep, keepThreshold, referenceTrainOps } from '../../src/engine/kernels/reference';
import type { RecurrentLayer, TrainOps } from '../../src/engine/kernels/types';
import { locateWasm } from '../../src/engine/kernels/wasm/locate';
import { Network } from '../../src/engine/network';
import { Adam, globalNorm } from '../../src/engine/optimizer';
import { initParams } from '../../src/engine/params';
import { Rng } from '../../src/engine/rng';
import { rng } from '../helpers/random';

/** Largest |a − b| relative to the largest |b| (at least 1e-3, so near-zero buffers compare absolutely). */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>, n = b.length): number {
  let d = 0;
  let m = 1e-3;
  for (let i = 0; i < n; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return Number.isFinite(d) ? d / m : Infinity;
}

function close(label: string, got: ArrayLike<number>, want: ArrayLike<number>, tol = 2e-5): void {
  const d = relDiff(got, want);
  assert.ok(d <= tol, `${label}: relative difference ${d}`);
}

/** A buffer of `n` values from `r` in K's memory, and a copy in ordinary memory. */
function filled(K: Kernels, n: number, r: () => number, scale = 1): Float32Array {
  const x = K.alloc(n);
  for (let i = 0; i < n; i++) x[i] = r() * scale;
  return x;
}

function copyTo(K: Kernels, x: Float32Array): Float32Array {
  const y = K.alloc(x.length);
  y.set(x);
  return y;
}

function int32In(K: Kernels, values: number[]): Int32Array {
  const buf = K.alloc(values.length);
  const v = new Int32Array(buf.buffer, buf.byteOffset, values.length);
  v.set(values);
  return v;
}

interface Shape { cell: CellType; B: number; T: number; H: number }

function makeLayer(K: Kernels, s: Shape, withMask: boolean, seed: number): RecurrentLayer {
  const r = rng(seed);
  const { cell, B, T, H } = s;
  const G = gatesOf(cell) * H;
  const hs = K.alloc((T + 1) * B * H);
  for (let i = 0; i < B * H; i++) hs[i] = r() * 0.5; // carried state
  let cs: Float32Array | null = null;
  if (cell === 'lstm') {
    cs = K.alloc((T + 1) * B * H);
    for (let i = 0; i < B * H; i++) cs[i] = r();
  }
  const mask = withMask ? K.alloc(T * B * H) : null;
  return {
    cell, B, T, H,
    U: filled(K, H * G, r, 0.4), bias: filled(K, G, r, 0.5), gates: filled(K, T * B * G, r, 1.5),
    hs, cs, rh: cell === 'gru' ? K.alloc(T * B * H) : null, mask, out: mask ? K.alloc(T * B * H) : hs.subarray(B * H),
  };
}

function cloneLayer(K: Kernels, L: RecurrentLayer): RecurrentLayer {
  const hs = copyTo(K, L.hs);
  const mask = L.mask ? copyTo(K, L.mask) : null;
  return {
    ...L, U: copyTo(K, L.U), bias: copyTo(K, L.bias), gates: copyTo(K, L.gates), hs, cs: L.cs ? copyTo(K, L.cs) : null,
    rh: L.rh ? copyTo(K, L.rh) : null, mask, out: mask ? copyTo(K, L.out) : hs.subarray(L.B * L.H),
  };
}

function work(K: Kernels, B: number, H: number) {
  return { dh: K.alloc(B * H), dhNext: K.alloc(B * H), dc: K.alloc(B * H), drh: K.alloc(B * H) };
}

const SHAPES: Shape[] = [
  { cell: 'lstm', B: 3, T: 4, H: 5 }, { cell: 'lstm', B: 1, T: 2, H: 1 }, { cell: 'lstm', B: 7, T: 3, H: 13 },
  { cell: 'lstm', B: 32, T: 3, H: 64 }, { cell: 'lstm', B: 5, T: 2, H: 72 },
  { cell: 'rnn', B: 3, T: 4, H: 5 }, { cell: 'rnn', B: 9, T: 3, H: 33 },
  { cell: 'gru', B: 3, T: 4, H: 5 }, { cell: 'gru', B: 4, T: 2, H: 17 },
];

function opsSuite(name: string, make: () => Promise<Kernels>): void {
  describe(`TrainOps of ${name} vs the reference`, function () {
    let K: Kernels | undefined;
    const js = new JsKernels();
    const ref = referenceTrainOps(js);
    before(async function () {
      if (!locateWasm(path.join(__dirname, '../../src/engine/kernels/wasm')).path) this.skip();
      K = await make();
    });
    after(() => K?.dispose());
    const ops = (): TrainOps => K!.train!;

    for (const s of SHAPES) {
      for (const mode of ['no dropout', 'dropout', 'mask, evaluation'] as const) {
        it(`${s.cell} B=${s.B} T=${s.T} H=${s.H}, ${mode}: forward states and backward gate gradients`, () => {
          const { B, T, H } = s;
          const G = gatesOf(s.cell) * H;
          const mine = makeLayer(K!, s, mode !== 'no dropout', 11 + B + H);
          const theirs = cloneLayer(js, mine);
          const dropout = mode === 'dropout' ? { keep: 0.7, seed: 123456789 } : null;
          ops().recurrentForward(mine, dropout);
          ref.recurrentForward(theirs, dropout);
          close('gates', mine.gates, theirs.gates);
          close('hs', mine.hs, theirs.hs);
          if (mine.cs) close('cs', mine.cs, theirs.cs!);
          if (mine.mask) {
            assert.deepEqual(Array.from(mine.mask), Array.from(theirs.mask!), 'dropout masks differ');
            close('out', mine.out, theirs.out);
          }
          const r = rng(99 + H);
          const dOut = filled(K!, T * B * H, r);
          const dz = K!.alloc(T * B * G);
          const dzRef = js.alloc(T * B * G);
          ops().recurrentBackward(mine, dOut, dz, work(K!, B, H));
          ref.recurrentBackward(theirs, copyTo(js, dOut), dzRef, work(js, B, H));
          close('dz', dz, dzRef, 5e-5);
        });
      }
    }

    it('dropout masks keep about the asked fraction, the same for any thread and as dropoutKeep says', () => {
      const s: Shape = { cell: 'lstm', B: 16, T: 8, H: 40 };
      const L = makeLayer(K!, s, true, 5);
      ops().recurrentForward(L, { keep: 0.9, seed: 42 });
      const keep24 = keepThreshold(0.9);
      let kept = 0;
      for (let i = 0; i < L.mask!.length; i++) {
        const k = L.mask![i]! !== 0;
        assert.equal(k, dropoutKeep(42, i, keep24), `element ${i}`);
        if (k) kept++;
      }
      const frac = kept / L.mask!.length;
      assert.ok(Math.abs(frac - 0.9) < 0.02, `kept ${frac}`);
      assert.ok(Math.abs(L.mask!.find((m) => m !== 0)! - 1 / 0.9) < 1e-6);
    });

    for (const [N, V] of [[1, 1], [3, 3], [17, 65], [64, 65], [5, 130], [2048, 65]] as const) {
      it(`softmax + cross-entropy N=${N} V=${V}: loss and gradient, and evaluation`, () => {
        const r = rng(N * 7 + V);
        const logits = filled(K!, N * V, r, 4);
        const logitsRef = copyTo(js, logits);
        const bias = filled(K!, V, r);
        const t = Array.from({ length: N }, (_, i) => (i * 31 + 7) % V);
        const loss = ops().softmaxCrossEntropy(N, V, logits, bias, int32In(K!, t), 1 / N);
        const want = ref.softmaxCrossEntropy(N, V, logitsRef, copyTo(js, bias), Int32Array.from(t), 1 / N);
        assert.ok(Math.abs(loss - want) <= 1e-5 * Math.max(1, want), `loss ${loss} vs ${want}`);
        close('dlogits', logits, logitsRef);
        const evalLogits = filled(K!, N * V, r, 4);
        const evalRef = copyTo(js, evalLogits);
        const l2 = ops().softmaxCrossEntropy(N, V, evalLogits, bias, int32In(K!, t), 0);
        const w2 = ref.softmaxCrossEntropy(N, V, evalRef, copyTo(js, bias), Int32Array.from(t), 0);
        assert.ok(Math.abs(l2 - w2) <= 1e-5 * Math.max(1, w2), `evaluation loss ${l2} vs ${w2}`);
      });
    }

    it('softmax + cross-entropy rejects a target outside the vocabulary', () => {
      const logits = K!.alloc(6);
      assert.throws(() => ops().softmaxCrossEntropy(2, 3, logits, K!.alloc(3), int32In(K!, [0, 3]), 0.5), /target 3/);
    });

    for (const [rows, cols] of [[1, 1], [3, 7], [2048, 65], [2048, 1024], [9, 29]] as const) {
      it(`column sums ${rows}x${cols}`, () => {
        const m = filled(K!, rows * cols, rng(rows + cols));
        const out = K!.alloc(cols);
        const want = new Float32Array(cols);
        ops().columnSums(rows, cols, m, out);
        ref.columnSums(rows, cols, copyTo(js, m), want);
        close('sums', out, want, 1e-6);
      });
    }

    for (const n of [1, 5, 1023, 1025, 300_001]) {
      it(`sum of squares and Adam over ${n} values`, () => {
        const r = rng(n);
        const g = filled(K!, n, r);
        const ss = ops().sumSquares(g);
        const ssRef = ref.sumSquares(copyTo(js, g));
        assert.ok(Math.abs(ss - ssRef) <= 1e-9 * ssRef, `${ss} vs ${ssRef}`);
        const p = filled(K!, n, r), m = filled(K!, n, r, 0.1), v = K!.alloc(n);
        for (let i = 0; i < n; i++) v[i] = Math.abs(r()) * 0.01;
        const [p2, m2, v2] = [copyTo(js, p), copyTo(js, m), copyTo(js, v)];
        const step = { beta1: 0.9, beta2: 0.999, stepSize: 1e-3, epsHat: 1e-8, gradScale: 0.7 };
        ops().adam(p, g, m, v, step);
        ref.adam(p2, copyTo(js, g), m2, v2, step);
        close('params', p, p2, 1e-6);
        close('m', m, m2, 1e-6);
        close('v', v, v2, 5e-6);
      });
    }

    for (const [V, E, N] of [[11, 7, 40], [13, 301, 300]] as const) it(`embedding gather and scatter-add with repeated ids (V=${V}, E=${E}, N=${N})`, () => {
      const table = filled(K!, V * E, rng(3));
      const ids = Array.from({ length: N }, (_, i) => (i * i) % V);
      const out = K!.alloc(N * E);
      ops().gather(N, int32In(K!, ids), table, E, out);
      const want = new Float32Array(N * E);
      ref.gather(N, Int32Array.from(ids), table, E, want);
      assert.deepEqual(Array.from(out), Array.from(want));
      const d = filled(K!, N * E, rng(4));
      const dT = filled(K!, V * E, rng(5)); // overwritten
      const dTRef = new Float32Array(V * E);
      ops().scatterAdd(N, int32In(K!, ids), d, E, dT, V);
      ref.scatterAdd(N, Int32Array.from(ids), copyTo(js, d), E, dTRef, V);
      close('dTable', dT, dTRef, 1e-6);
      assert.throws(() => ops().gather(1, int32In(K!, [V]), table, E, out), /out of range/);
    });

    for (const [cell, V] of [['lstm', 13], ['rnn', 13], ['gru', 13], ['lstm', 50]] as const) {
      // V = 50 > B·T: layer 0 from the embedded input rather than by vocabulary entry (see network.ts).
      it(`a whole ${cell} training step (2 layers, dropout, vocabulary ${V}) and Adam agree with the JS kernels`, () => {
        const config: ModelConfig = { cell, layers: 2, units: 20, embeddingSize: 6, dropout: 0.2, vocabSize: V };
        const B = 5, T = 7;
        const a = new Network(K!, config, B, T);
        const b = new Network(js, config, B, T);
        initParams(config, a.params, 9, 'keras');
        initParams(config, b.params, 9, 'keras');
        const ids = Int32Array.from({ length: B * T }, (_, i) => (i * 5) % V);
        const targets = Int32Array.from({ length: B * T }, (_, i) => (i * 3 + 1) % V);
        // Adam's first steps are ~lr·sign(g): with ε = 1e-8 a gradient near 1e-8 (float noise between two correct
        // kernel sets) moves its weight by a visible share of lr, so ε is 1e-6 here; Adam itself is compared on
        // identical gradients above.
        const adamA = new Adam(a.params.flat.length, 0.9, 0.999, 1e-6, undefined, K!);
        const adamB = new Adam(b.params.flat.length, 0.9, 0.999, 1e-6);
        for (let step = 0; step < 3; step++) {
          const la = a.trainStep(ids, targets, new Rng(step));
          const lb = b.trainStep(ids, targets, new Rng(step));
          assert.ok(Math.abs(la - lb) < 1e-5 * Math.max(1, lb), `step ${step}: loss ${la} vs ${lb}`);
          close(`step ${step} gradients`, a.grads.flat, b.grads.flat, 1e-4);
          const na = globalNorm(a.grads.flat, K!);
          const nb = globalNorm(b.grads.flat);
          assert.ok(Math.abs(na - nb) < 1e-4 * nb, `norm ${na} vs ${nb}`);
          adamA.update(a.params.flat, a.grads.flat, 1e-2, 0.5);
          adamB.update(b.params.flat, b.grads.flat, 1e-2, 0.5);
          close(`step ${step} weights`, a.params.flat, b.params.flat, 1e-4);
        }
        const snap = adamA.snapshot();
        assert.equal(snap.step, 3);
        assert.ok(!(snap.m.buffer instanceof SharedArrayBuffer), 'the snapshot is in ordinary memory');
      });
    }
  });
}

opsSuite('WasmKernels, 1 thread', () => WasmKernels.create({ threads: 1 }));
opsSuite('WasmKernels, 2 threads', () => WasmKernels.create({ threads: 2, parallelThreshold: 0 }));
opsSuite('WasmKernels, 3 threads', () => WasmKernels.create({ threads: 3, parallelThreshold: 0 }));
