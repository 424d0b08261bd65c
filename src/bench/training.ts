/**
 * Training throughput of the reference model on each available path, measured the same way: whole optimiser
 * steps (forward, backward, clipping/Adam) on batches of random characters, after a warm-up step.
 */
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { ModelConfig } from '../shared/modelConfig';
import type { Kernels } from '../engine/kernels/types';
import { Network } from '../engine/network';
import { Adam, clipScale, globalNorm } from '../engine/optimizer';
import { initParams } from '../engine/params';
import { PhaseClock, type Phase } from '../engine/phases';
import { Rng } from '../engine/rng';
import { median } from '../shared/percentile';
import { phaseFlops } from './flops';

export interface ThroughputResult {
  name: string;
  charsPerSec: number | null;
  /** Median seconds per step. */
  stepSec: number | null;
  steps: number;
  note?: string;
  /** With `profile`: where a step's time goes (see {@link PhaseShare}). */
  profile?: PhaseShare[];
}

/** One phase of a training step in a profile: milliseconds per step, share of the step, effective GFLOP/s. */
export interface PhaseShare {
  phase: Phase | 'JS overhead';
  msPerStep: number;
  share: number;
  /** GFLOP/s of the phase's matrix products (null for phases without products). */
  gflops: number | null;
}

function randomBatch(n: number, V: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n }, () => rng.int(V));
}

/** Runs `step` until `seconds` have passed (at least `minSteps`), after one warm-up call. */
async function timeSteps(step: () => void | Promise<void>, seconds: number, minSteps: number): Promise<number[]> {
  await step();
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (times.length < minSteps || performance.now() < end) {
    const t0 = performance.now();
    await step();
    times.push((performance.now() - t0) / 1000);
    if (times.length >= 1000) break;
  }
  return times;
}

export async function benchEngine(
  kernels: Kernels, c: ModelConfig, B: number, T: number, seconds: number, opts: { profile?: boolean } = {},
): Promise<ThroughputResult> {
  const net = new Network(kernels, c, B, T);
  initParams(c, net.params, 1);
  const adam = new Adam(net.params.flat.length, 0.9, 0.999, 1e-8, undefined, kernels);
  const ids = randomBatch(B * T, c.vocabSize, 1);
  const targets = randomBatch(B * T, c.vocabSize, 2);
  const rng = new Rng(3);
  const step = (): void => {
    const clock = net.clock;
    net.trainStep(ids, targets, c.dropout > 0 ? rng : null);
    clock?.enter('clip norm');
    const scale = clipScale(globalNorm(net.grads.flat, kernels), 5);
    clock?.enter('adam');
    adam.update(net.params.flat, net.grads.flat, 1e-3, scale);
    clock?.stop();
  };
  const times = await timeSteps(step, seconds, 3);
  const s = median(times);
  const result: ThroughputResult = { name: `Inkling (${kernels.name})`, charsPerSec: (B * T) / s, stepSec: s, steps: times.length };
  if (opts.profile) result.profile = profileSteps(net, step, phaseFlops(c, B, T), Math.max(1, seconds / 3));
  return result;
}

/**
 * Runs `step` for about `seconds` with a phase clock on `net`; the time of a whole step not charged to any
 * phase (the calls between kernels, typed-array views, the loop itself) is reported as JS overhead.
 */
function profileSteps(net: Network, step: () => void, flops: Partial<Record<string, number>>, seconds: number): PhaseShare[] {
  const clock = new PhaseClock();
  net.clock = clock;
  let steps = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (steps < 3 || performance.now() < end) {
    step();
    steps++;
  }
  const total = performance.now() - t0;
  net.clock = null;
  const rows: PhaseShare[] = [];
  let charged = 0;
  for (const [phase, ms] of clock.ms) {
    charged += ms;
    const f = flops[phase];
    rows.push({ phase, msPerStep: ms / steps, share: ms / total, gflops: f ? f / (ms / steps) / 1e6 : null });
  }
  rows.push({ phase: 'JS overhead', msPerStep: (total - charged) / steps, share: (total - charged) / total, gflops: null });
  return rows.sort((a, b) => b.msPerStep - a.msPerStep);
}

type TF = typeof tfTypes;

/**
 * `tf.layers` with `trainOnBatch` (Adam, clipnorm) on a TF.js backend. With `oneHot`, the input is one-hot
 * vectors instead of an Embedding layer (tfjs-wasm cannot train Embedding: no UnsortedSegmentSum kernel).
 */
export async function benchTfLayers(
  tf: TF, backend: string, c: ModelConfig, B: number, T: number, seconds: number, oneHot: boolean,
): Promise<ThroughputResult> {
  const name = `tf.layers on tfjs-${backend}${oneHot ? ' (one-hot input)' : ''}`;
  if (!(await tf.setBackend(backend))) return { name, charsPerSec: null, stepSec: null, steps: 0, note: `backend ${backend} unavailable` };
  await tf.ready();
  const model = tf.sequential();
  if (oneHot) {
    model.add(tf.layers.lstm({ units: c.units, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [T, c.vocabSize] }));
  } else {
    model.add(tf.layers.embedding({ inputDim: c.vocabSize, outputDim: c.embeddingSize, inputShape: [T] }));
    model.add(tf.layers.lstm({ units: c.units, returnSequences: true, recurrentActivation: 'sigmoid' }));
  }
  for (let l = 1; l < c.layers; l++) model.add(tf.layers.lstm({ units: c.units, returnSequences: true, recurrentActivation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: c.vocabSize, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  const ids = randomBatch(B * T, c.vocabSize, 1);
  const x = oneHot ? tf.oneHot(tf.tensor2d(ids, [B, T], 'int32'), c.vocabSize).toFloat() : tf.tensor2d(ids, [B, T], 'float32');
  const y = tf.tensor3d(randomBatch(B * T, c.vocabSize, 2), [B, T, 1], 'float32');
  try {
    const times = await timeSteps(async () => { await model.trainOnBatch(x, y); }, seconds, 2);
    const s = median(times);
    return { name, charsPerSec: (B * T) / s, stepSec: s, steps: times.length };
  } catch (e) {
    return { name, charsPerSec: null, stepSec: null, steps: 0, note: (e as Error).message.split('\n')[0] };
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
}

/** Registers tfjs-backend-wasm, reading its .wasm files from the installed package. */
export async function registerTfWasm(): Promise<string | undefined> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
