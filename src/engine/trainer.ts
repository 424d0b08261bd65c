/**
 * The training loop: stateful truncated BPTT over the training tokens with Adam, global-norm clipping,
 * a cosine learning-rate schedule over the budget, periodic validation in bits per character, best-checkpoint
 * keeping, resume, a time budget and an abort signal. Yields to the event loop between steps so the caller (a
 * worker or the CLI) stays responsive to cancel messages, and can pause between steps (while the user types): the
 * budget counts training time, so time spent paused is not counted against it (nor in the speed, the ETA or the
 * learning-rate schedule).
 */
import { fittingBatch, StreamBatcher } from './batches';
import type { ModelConfig, TrainConfig } from '../shared/modelConfig';
import type { Kernels } from './kernels/types';
import { Network } from './network';
import { Adam, clipScale, globalNorm, learningRateAt, type AdamState } from './optimizer';
import { initParams } from './params';
import { StreamScorer } from './scorer';
import { Rng } from './rng';
import type { TrainProgress } from '../shared/progress';

export type { TrainProgress } from '../shared/progress';

const LN2 = Math.LN2;

export interface TrainInput {
  kernels: Kernels;
  model: ModelConfig;
  train: TrainConfig;
  trainTokens: Int32Array;
  validationTokens: Int32Array;
  /** Start from these weights (flat, {@link paramLayout} order) instead of a fresh initialisation. */
  initialWeights?: Float32Array;
  /** Resume the optimiser. */
  optimizerState?: AdamState;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  /** Called when validation improves, with a copy of the weights; e.g. to write a checkpoint. */
  onBest?: (weights: Float32Array, p: TrainProgress) => void | Promise<void>;
  /** Minimum milliseconds between onProgress calls (validation and the end always report). @default 250 */
  progressIntervalMs?: number;
  /**
   * Asked before every step: milliseconds to wait before it (0 = go on), e.g. while the user is typing. The trainer
   * waits (abortably) and asks again until it gets 0; the time waited is excluded from the budget. A report with
   * `paused: true` is sent when a pause starts and an ordinary one when it ends.
   */
  pauseMs?: () => number;
}

/** A sleep that ends early when `signal` aborts, so a paused run still stops at once. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || !(ms > 0)) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface TrainResult {
  /** Best weights by validation loss (the final ones when there was no validation data). */
  bestWeights: Float32Array;
  finalWeights: Float32Array;
  optimizerState: AdamState;
  progress: TrainProgress;
  stopReason: 'budget' | 'steps' | 'epochs' | 'aborted';
}

export class CorpusTooSmallError extends Error {
  override name = 'CorpusTooSmallError';
}

export async function train(input: TrainInput): Promise<TrainResult> {
  const { kernels, model, train: cfg } = input;
  const batch = fittingBatch(input.trainTokens.length, cfg.batchSize, cfg.seqLength);
  if (batch < 1) {
    throw new CorpusTooSmallError(
      `the training text has ${input.trainTokens.length} characters; at least ${cfg.seqLength + 2} are needed`);
  }
  const net = new Network(kernels, model, batch, cfg.seqLength);
  const flat = net.params.flat;
  if (input.initialWeights) {
    if (input.initialWeights.length !== flat.length) {
      throw new Error(`initial weights have ${input.initialWeights.length} values, the model needs ${flat.length}`);
    }
    flat.set(input.initialWeights);
  } else {
    initParams(model, net.params, cfg.seed);
  }
  const adam = new Adam(flat.length, 0.9, 0.999, 1e-8, input.optimizerState);
  const rng = new Rng(cfg.seed + 17);
  const validator = createValidator(kernels, model, cfg, input.validationTokens);

  const start = performance.now();
  const budgetMs = cfg.minutes > 0 ? cfg.minutes * 60_000 : 0;
  const progressInterval = input.progressIntervalMs ?? 250;
  let step = 0;
  let epoch = 0;
  let best = Number.POSITIVE_INFINITY;
  let bestWeights: Float32Array | null = null;
  let lastVal = Number.NaN;
  let lastValAt = start;
  let lastReport = 0;
  let recentLoss = 0;
  let recentCount = 0;
  let trainBits = Number.NaN;
  let lr = cfg.learningRate;
  let stopReason: TrainResult['stopReason'];
  let pausedMs = 0;

  /** Training time: wall time since the start minus the time spent paused for the user. */
  const elapsed = (): number => performance.now() - start - pausedMs;
  const fractionDone = (): number => {
    const parts: number[] = [];
    if (budgetMs > 0) parts.push(elapsed() / budgetMs);
    if (cfg.maxSteps > 0) parts.push(step / cfg.maxSteps);
    if (cfg.epochs > 0) parts.push(epoch / cfg.epochs);
    return parts.length ? Math.min(1, Math.max(...parts)) : 0;
  };
  const snapshot = (): TrainProgress => {
    const sec = elapsed() / 1000;
    const fraction = fractionDone();
    return {
      step, epoch, trainBits, valBits: lastVal, bestValBits: best, learningRate: lr,
      charsPerSec: sec > 0 ? (step * batch * cfg.seqLength) / sec : 0,
      elapsedSec: sec, fraction,
      etaSec: fraction > 0 && fraction < 1 ? (sec * (1 - fraction)) / fraction : Number.NaN,
      pausedSec: pausedMs / 1000,
    };
  };
  /** Waits while `pauseMs` asks for it; returns the milliseconds waited. */
  const pauseForUser = async (): Promise<number> => {
    let wait = input.pauseMs?.() ?? 0;
    if (!(wait > 0) || input.signal?.aborted) return 0;
    const t0 = performance.now();
    input.onProgress?.({ ...snapshot(), paused: true });
    while (wait > 0 && !input.signal?.aborted) {
      await abortableSleep(wait, input.signal);
      wait = input.pauseMs?.() ?? 0;
    }
    const waited = performance.now() - t0;
    pausedMs += waited;
    lastValAt += waited;
    lastReport += waited;
    input.onProgress?.(snapshot());
    return waited;
  };
  const validate = async (): Promise<void> => {
    if (!validator) return;
    lastVal = validator(flat);
    lastValAt = performance.now();
    if (lastVal < best) {
      best = lastVal;
      bestWeights = flat.slice();
      await input.onBest?.(bestWeights.slice(), snapshot());
    }
    input.onProgress?.(snapshot());
  };

  outer: for (;;) {
    const batcher = new StreamBatcher(input.trainTokens, batch, cfg.seqLength, epoch === 0 ? 0 : rng.int(cfg.seqLength));
    net.resetState();
    for (let k = 0; k < batcher.batchesPerPass; k++) {
      if (input.pauseMs) await pauseForUser();
      if (input.signal?.aborted) { stopReason = 'aborted'; break outer; }
      if (budgetMs > 0 && elapsed() >= budgetMs) { stopReason = 'budget'; break outer; }
      if (cfg.maxSteps > 0 && step >= cfg.maxSteps) { stopReason = 'steps'; break outer; }
      batcher.fill(k);
      const loss = net.trainStep(batcher.ids, batcher.targets, model.dropout > 0 ? rng : null);
      const grads = net.grads.flat;
      const scale = clipScale(globalNorm(grads), cfg.clipNorm);
      lr = learningRateAt(cfg.learningRate, adam.state.step, fractionDone());
      adam.update(flat, grads, lr, scale);
      step++;
      recentLoss += loss;
      recentCount++;
      const now = performance.now();
      if (now - lastReport >= progressInterval) {
        trainBits = recentLoss / recentCount / LN2;
        recentLoss = 0;
        recentCount = 0;
        lastReport = now;
        input.onProgress?.(snapshot());
      }
      if (now - lastValAt >= cfg.validateEverySeconds * 1000) await validate();
      // Let cancel messages and timers through.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    epoch++;
    if (cfg.epochs > 0 && epoch >= cfg.epochs) { stopReason = 'epochs'; break; }
  }
  if (recentCount > 0) trainBits = recentLoss / recentCount / LN2;
  if (stopReason !== 'aborted' || step > 0) await validate();
  const finalWeights = flat.slice();
  const progress = snapshot();
  input.onProgress?.(progress);
  return {
    bestWeights: bestWeights ?? finalWeights,
    finalWeights,
    optimizerState: adam.state,
    progress,
    stopReason,
  };
}

/**
 * Returns a function that scores held-out tokens (the first `validationChars`) in bits per character with the
 * given weights, or null when there are too few held-out tokens for one batch.
 */
export function createValidator(
  kernels: Kernels, model: ModelConfig, cfg: TrainConfig, tokens: Int32Array,
): ((weights: Float32Array) => number) | null {
  const slice = tokens.subarray(0, Math.min(tokens.length, cfg.validationChars + 1));
  const scorer = StreamScorer.create(kernels, model, slice, cfg.batchSize, cfg.seqLength);
  return scorer && ((weights) => scorer.bitsPerChar(weights));
}
