/**
 * GEMM benchmark: GFLOP/s of every kernel set side by side, on the shapes of a 256-unit LSTM layer's forward
 * pass and its (transposed) backprop, for one step (batch 32) and a 64-step sequence (batch x time = 2048).
 *
 *   npx tsc -b && node out/src/bench/gemm.js [--quick] [--crossover-only]
 *
 * Each cell is the median of several timed repetitions after a warm-up. Also prints where splitting one
 * gemm over two threads starts to pay (used for WasmKernels' parallelThreshold).
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { JsKernels, WasmKernels, type Kernels } from '../engine/kernels';

interface Shape {
  name: string;
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
}

const SHAPES: Shape[] = [
  { name: 'fwd  x·W    [32,256]x[256,1024]', transA: false, transB: false, m: 32, n: 1024, k: 256 },
  { name: 'fwd  x·W    [2048,256]x[256,1024]', transA: false, transB: false, m: 2048, n: 1024, k: 256 },
  { name: 'bwd  dY·W^T [32,1024]x[256,1024]^T', transA: false, transB: true, m: 32, n: 256, k: 1024 },
  { name: 'bwd  dY·W^T [2048,1024]x[256,1024]^T', transA: false, transB: true, m: 2048, n: 256, k: 1024 },
  { name: 'bwd  X^T·dY [32,256]^Tx[32,1024]', transA: true, transB: false, m: 256, n: 1024, k: 32 },
  { name: 'bwd  X^T·dY [2048,256]^Tx[2048,1024]', transA: true, transB: false, m: 256, n: 1024, k: 2048 },
  { name: 'A^T·B^T     [1024,256]^Tx[1024,1024]^T', transA: true, transB: true, m: 256, n: 1024, k: 1024 },
];

const quick = process.argv.includes('--quick');

/** Median seconds per call of `fn`, timing `reps` batches each long enough (>= ~40 ms) to be measurable. */
function timeIt(fn: () => void, reps: number, budgetSec: number): number {
  // Warm-up: V8 runs new wasm code in its baseline compiler (~10x slower) until the optimised code is ready.
  let t0 = performance.now();
  for (let i = 0; i < 8 || performance.now() - t0 < 150; i++) fn();
  t0 = performance.now();
  fn();
  const once = Math.max(1e-6, (performance.now() - t0) / 1000);
  const inner = Math.max(1, Math.round(0.04 / once));
  const n = Math.max(3, Math.min(reps, Math.floor(budgetSec / (once * inner))));
  const times: number[] = [];
  for (let r = 0; r < n; r++) {
    t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    times.push((performance.now() - t0) / 1000 / inner);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function fill(x: Float32Array, seed: number): void {
  let s = seed;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = s / 2 ** 32 - 0.5;
  }
}

function gflops(s: Shape, sec: number): number {
  return (2 * s.m * s.n * s.k) / sec / 1e9;
}

function benchKernels(K: Kernels, s: Shape, reps: number, budget: number): number {
  const a = K.alloc(s.m * s.k);
  const b = K.alloc(s.k * s.n);
  const c = K.alloc(s.m * s.n);
  fill(a, 1);
  fill(b, 2);
  const lda = s.transA ? s.m : s.k;
  const ldb = s.transB ? s.k : s.n;
  const sec = timeIt(() => K.gemm(s.transA, s.transB, s.m, s.n, s.k, a, lda, b, ldb, c, s.n, false), reps, budget);
  K.free(a);
  K.free(b);
  K.free(c);
  return gflops(s, sec);
}

async function benchTf(backend: string, s: Shape, reps: number, budget: number): Promise<number> {
  await tf.setBackend(backend);
  await tf.ready();
  const av = new Float32Array(s.m * s.k);
  const bv = new Float32Array(s.k * s.n);
  fill(av, 1);
  fill(bv, 2);
  const a = tf.tensor2d(av, s.transA ? [s.k, s.m] : [s.m, s.k]);
  const b = tf.tensor2d(bv, s.transB ? [s.n, s.k] : [s.k, s.n]);
  const sec = timeIt(() => {
    const c = tf.matMul(a, b, s.transA, s.transB);
    c.dataSync();
    c.dispose();
  }, reps, budget);
  a.dispose();
  b.dispose();
  return gflops(s, sec);
}

function crossover(k1: Kernels, k2: Kernels): void {
  console.log('\nSplitting one NN gemm over 2 threads (threshold 0) vs 1 thread, square sizes:');
  console.log('  size      m·n·k    x1 GFLOP/s   x2 GFLOP/s   x2/x1');
  for (const d of [16, 24, 32, 48, 64, 80, 96, 128, 192, 256]) {
    const s: Shape = { name: '', transA: false, transB: false, m: d, n: d, k: d };
    const g1 = benchKernels(k1, s, 9, 0.4);
    const g2 = benchKernels(k2, s, 9, 0.4);
    console.log(`  ${String(d).padStart(4)}  ${String(d * d * d).padStart(9)}  ${g1.toFixed(2).padStart(11)}  ${g2.toFixed(2).padStart(11)}  ${(g2 / g1).toFixed(2).padStart(6)}`);
  }
}

async function main(): Promise<void> {
  // tfjs-backend-wasm in Node reads its .wasm from disk: point it at the package's dist folder.
  const tfWasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  setWasmPaths(tfWasmDir + path.sep);

  const js = new JsKernels();
  const w1 = await WasmKernels.create({ threads: 1 });
  const w2 = await WasmKernels.create({ threads: 2 });
  if (process.argv.includes('--crossover-only')) {
    const w2all = await WasmKernels.create({ threads: 2, parallelThreshold: 0 });
    crossover(w1, w2all);
    for (const k of [w2all, w1, w2]) k.dispose();
    return;
  }
  const reps = quick ? 3 : 7;
  const budget = quick ? 0.5 : 2;
  console.log(`GEMM GFLOP/s, median of up to ${reps} repetitions (node ${process.version}, tfjs ${tf.version.tfjs})`);
  const cols = ['js', 'wasm x1', 'wasm x2', 'tf-cpu', 'tf-wasm'];
  console.log(`${'shape'.padEnd(40)}${cols.map((c) => c.padStart(9)).join('')}   x1/tf-wasm  x2/x1  x1/js`);
  for (const s of SHAPES) {
    const r: number[] = [];
    r.push(benchKernels(js, s, quick ? 1 : 3, budget));
    r.push(benchKernels(w1, s, reps, budget));
    r.push(benchKernels(w2, s, reps, budget));
    r.push(await benchTf('cpu', s, quick ? 1 : 3, budget));
    r.push(await benchTf('wasm', s, reps, budget));
    const [gjs, g1, g2, , gtw] = r as [number, number, number, number, number];
    console.log(
      `${s.name.padEnd(40)}${r.map((g) => g.toFixed(2).padStart(9)).join('')}   ${(g1 / gtw).toFixed(1).padStart(9)}` +
      `  ${(g2 / g1).toFixed(2).padStart(5)}  ${(g1 / gjs).toFixed(0).padStart(5)}`,
    );
  }
  const w2all = await WasmKernels.create({ threads: 2, parallelThreshold: 0 });
  crossover(w1, w2all);
  w2all.dispose();
  w1.dispose();
  w2.dispose();
  js.dispose();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
