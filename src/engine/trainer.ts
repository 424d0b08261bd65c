/**
 * The training loop: stateful truncated BPTT over the training tokens with Adam, global-norm clipping,
 * a learning-rate schedule (warm-up, then inverse-square-root to a floor, constant or cosine), periodic validation in bits per character, best-checkpoint
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
import { initParams, type InitStyle } from './params';
import { StreamScorer, type HeldOutScore } from './scorer';
import { Rng } from './rng';
import type { TrainProgress } from '../shared/progress';
import { nextTurn } from '../shared/platform';
import { runSliced } from '../shared/steps';

export type { TrainProgress } from '../shared/progress';

const LN2 = Math.LN2;

/** Something the run's log should say (a rollback, a lowered learning rate). */
export interface TrainNotice {
  kind: 'rollback' | 'above-uniform' | 'not-finite' | 'stalled';
  message: string;
  step: number;
}

/**
 * A validation this many bits per character above the best so far (or above the uniform distribution, log2 of the
 * vocabulary) counts as a divergence: the run goes back to its best weights and their Adam moments, at half the
 * learning rate.
 */
export const DIVERGENCE_MARGIN = 0.5;

/**
 * After this many rollbacks in a row without a new best, the run stops early on its best weights (stop reason
 * `stalled`): a small corpus being memorised, or a divergence that a lower rate did not cure, only gets worse.
 */
export const STALL_ROLLBACKS = 2;

/** Validations at these step counts as well as every `validateEverySeconds`, so a small corpus memorised in the first seconds is caught early. */
export const EARLY_VALIDATION_STEPS: readonly number[] = [25, 50, 100, 200, 400, 800];

export interface TrainInput {
  kernels: Kernels;
  model: ModelConfig;
  train: TrainConfig;
  trainTokens: Int32Array;
  validationTokens: Int32Array;
  /** Start from these weights (flat, {@link paramLayout} order) instead of a fresh initialisation. */
  initialWeights?: Float32Array;
  /** How fresh weights are initialised (see {@link initParams}). @default the train config's `init` */
  initStyle?: InitStyle;
  /** Resume the optimiser. */
  optimizerState?: AdamState;
  /**
   * Where the learning-rate schedule stands at the start, as the fraction of it already used (a resumed run continues
   * the cosine from there over its own budget instead of warming up and starting at the peak again). @default 0
   */
  scheduleStart?: number;
  /**
   * With `initialWeights`: score them on the validation tokens before the first step and start `best` there, so
   * the run reports `improved` only when it beats them (a resumed run never replaces a better stored model).
   * @default true when `initialWeights` is given
   */
  validateInitial?: boolean;
  /** What the run's log should say: rollbacks after a divergence, a lowered learning rate. */
  onNotice?: (n: TrainNotice) => void;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  /**
   * Called when validation improves, with a copy of the weights and of the optimizer state that belongs to them;
   * e.g. to write a checkpoint.
   */
  onBest?: (weights: Float32Array, p: TrainProgress, optimizer: AdamState, scheduleAt: number) => void | Promise<void>;
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
  /** The optimizer state that belongs to `bestWeights` (Adam's moments and step when they were the weights). */
  optimizerState: AdamState;
  /** The schedule position (fraction used, for {@link TrainInput.scheduleStart}) at `bestWeights`. */
  scheduleAt: number;
  progress: TrainProgress;
  /** `stalled`: stopped early after {@link STALL_ROLLBACKS} rollbacks in a row without a new best. */
  stopReason: 'budget' | 'steps' | 'epochs' | 'aborted' | 'stalled';
  /** The validation figure of `bestWeights` (null without validation data). */
  best: HeldOutScore | null;
  /** The figure of the initial weights when they were validated first (see {@link TrainInput.validateInitial}). */
  initial: HeldOutScore | null;
  /** False when validation never beat the initial weights' figure (then `bestWeights` are the initial weights). */
  improved: boolean;
  rollbacks: number;
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
  await nextTurn();
  const flat = net.params.flat;
  if (input.initialWeights) {
    if (input.initialWeights.length !== flat.length) {
      throw new Error(`initial weights have ${input.initialWeights.length} values, the model needs ${flat.length}`);
    }
    flat.set(input.initialWeights);
  } else {
    initParams(model, net.params, cfg.seed, input.initStyle ?? cfg.init);
  }
  await nextTurn();
  const adam = new Adam(flat.length, cfg.beta1, cfg.beta2, cfg.adamEpsilon, input.optimizerState && copyState(input.optimizerState), kernels);
  const rng = new Rng(cfg.seed + 17);
  // Validation yields between its batches, as training does between steps (one long pass would hold the thread).
  const scorer = heldOutStreamScorer(kernels, model, cfg, input.validationTokens);
  const validator = scorer && ((weights: Float32Array) => runSliced(scorer.scoreSteps(weights), nextTurn));
  const uniformBits = Math.log2(model.vocabSize);
  const scheduleStart = Math.min(1, Math.max(0, input.scheduleStart ?? 0));

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
  /** The part of `pausedMs` spent resting for `cpuShare` (not for the user). */
  let restedMs = 0;
  let bestScore: HeldOutScore | null = null;
  let initialScore: HeldOutScore | null = null;
  let bestOptimizer: AdamState = copyState(adam.state);
  let bestScheduleAt = scheduleStart;
  let improved = false;
  let rollbacks = 0;
  /** Rollbacks since the last new best; at {@link STALL_ROLLBACKS} the run stops. */
  let rollbacksInARow = 0;
  /** Halved at each rollback. */
  let lrScale = 1;
  let lastUnknown: number | undefined;
  let nextEarly = 0;

  /** Training time: wall time since the start minus the time spent paused for the user or resting (`cpuShare`). */
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
      step, epoch, trainBits, valBits: lastVal, bestValBits: best, learningRate: lr, valUnknownChars: lastUnknown, rollbacks,
      charsPerSec: sec > 0 ? (step * batch * cfg.seqLength) / sec : 0,
      elapsedSec: sec, fraction,
      etaSec: fraction > 0 && fraction < 1 ? (sec * (1 - fraction)) / fraction : Number.NaN,
      pausedSec: (pausedMs - restedMs) / 1000,
      ...(restedMs > 0 ? { restedSec: restedMs / 1000 } : {}),
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
  /**
   * With `cpuShare` below 1: rests after a step that took `busyMs` so that computing is that share of the wall time
   * (counted as paused: the budget is training time).
   */
  const rest = async (busyMs: number): Promise<void> => {
    const ms = (busyMs * (1 - cfg.cpuShare)) / cfg.cpuShare;
    if (!(ms > 0) || input.signal?.aborted) return;
    const t0 = performance.now();
    await abortableSleep(ms, input.signal);
    const waited = performance.now() - t0;
    pausedMs += waited;
    restedMs += waited;
    lastValAt += waited;
    lastReport += waited;
  };
  const scheduleAt = (): number => scheduleStart + (1 - scheduleStart) * fractionDone();
  /** Back to the best weights and their optimizer state, at half the learning rate. */
  const rollBack = (kind: TrainNotice['kind'], why: string): void => {
    if (!bestWeights) return;
    flat.set(bestWeights);
    adam.state.m.set(bestOptimizer.m);
    adam.state.v.set(bestOptimizer.v);
    adam.state.step = bestOptimizer.step;
    net.resetState();
    rollbacks++;
    rollbacksInARow++;
    lrScale /= 2;
    input.onNotice?.({
      kind, step,
      message: `${why}: rolled back to the best weights (validation ${best.toFixed(3)} bits/char) and halved the learning rate (now ${(lrScale * 100).toFixed(lrScale < 0.1 ? 1 : 0)}% of the schedule)`,
    });
  };
  const validate = async (): Promise<void> => {
    if (!validator) return;
    const score = await validator(flat);
    lastVal = score.bitsPerChar;
    lastUnknown = score.unknownChars;
    lastValAt = performance.now();
    if (lastVal < best) {
      best = lastVal;
      bestScore = score;
      bestWeights = flat.slice();
      bestOptimizer = copyState(adam.state);
      bestScheduleAt = scheduleAt();
      improved = true;
      rollbacksInARow = 0;
      await input.onBest?.(bestWeights.slice(), snapshot(), copyState(bestOptimizer), bestScheduleAt);
    } else if (!Number.isFinite(lastVal) || lastVal > best + DIVERGENCE_MARGIN || lastVal > uniformBits) {
      const why = !Number.isFinite(lastVal) ? 'validation is not a finite number'
        : lastVal > uniformBits ? `validation ${lastVal.toFixed(3)} bits/char is above the uniform distribution (${uniformBits.toFixed(3)})`
          : `validation ${lastVal.toFixed(3)} bits/char is more than ${DIVERGENCE_MARGIN} above the best so far`;
      rollBack(lastVal > uniformBits ? 'above-uniform' : 'rollback', why);
    }
    if (improved && best === lastVal && lastVal > uniformBits) {
      // Even the best so far is worse than knowing nothing: go on more carefully.
      lrScale /= 2;
      input.onNotice?.({ kind: 'above-uniform', step, message: `validation ${lastVal.toFixed(3)} bits/char is above the uniform distribution (${uniformBits.toFixed(3)}); halved the learning rate` });
    }
    input.onProgress?.({ ...snapshot(), validated: true });
  };
  if (input.initialWeights && validator && (input.validateInitial ?? true)) {
    initialScore = await validator(flat);
    best = initialScore.bitsPerChar;
    bestScore = initialScore;
    lastVal = best;
    lastUnknown = initialScore.unknownChars;
    bestWeights = flat.slice();
    lastValAt = performance.now();
    input.onProgress?.({ ...snapshot(), validated: true });
  }

  outer: for (;;) {
    const batcher = new StreamBatcher(input.trainTokens, batch, cfg.seqLength, epoch === 0 ? 0 : rng.int(cfg.seqLength));
    net.resetState();
    for (let k = 0; k < batcher.batchesPerPass; k++) {
      if (input.pauseMs) await pauseForUser();
      if (input.signal?.aborted) { stopReason = 'aborted'; break outer; }
      if (budgetMs > 0 && elapsed() >= budgetMs) { stopReason = 'budget'; break outer; }
      if (cfg.maxSteps > 0 && step >= cfg.maxSteps) { stopReason = 'steps'; break outer; }
      const stepStart = performance.now();
      batcher.fill(k);
      const loss = net.trainStep(batcher.ids, batcher.targets, model.dropout > 0 ? rng : null);
      const grads = net.grads.flat;
      const norm = globalNorm(grads, kernels);
      if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
        // A step that would write NaN into every weight: go back instead (or skip it when there is no best yet).
        if (bestWeights) rollBack('not-finite', 'the training loss is not a finite number');
        else input.onNotice?.({ kind: 'not-finite', step, message: 'the training loss is not a finite number; step skipped' });
        step++;
        continue;
      }
      const scale = clipScale(norm, cfg.clipNorm);
      // The schedule's step is Adam's (restored on resume, so no second warm-up) and its position continues from
      // `scheduleStart`.
      lr = learningRateAt(cfg, adam.state.step, scheduleAt()) * lrScale;
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
      const early = nextEarly < EARLY_VALIDATION_STEPS.length && step >= EARLY_VALIDATION_STEPS[nextEarly]!;
      if (early) while (nextEarly < EARLY_VALIDATION_STEPS.length && step >= EARLY_VALIDATION_STEPS[nextEarly]!) nextEarly++;
      if (early || now - lastValAt >= cfg.validateEverySeconds * 1000) await validate();
      if (rollbacksInARow >= STALL_ROLLBACKS) { stopReason = 'stalled'; break outer; }
      if (cfg.cpuShare < 1) await rest(performance.now() - stepStart);
      // Let cancel messages and timers through.
      // (One step per macrotask: in the browser's extension host worker, where training may have to run on the
      // host's own thread, completions and other extensions are served between steps.)
      await nextTurn();
    }
    epoch++;
    if (cfg.epochs > 0 && epoch >= cfg.epochs) { stopReason = 'epochs'; break; }
  }
  if (recentCount > 0) trainBits = recentLoss / recentCount / LN2;
  if (stopReason === 'stalled') {
    // The weights are the best ones again (the last rollback put them back), so their figure is the best one.
    lastVal = best;
    lastUnknown = bestScore?.unknownChars;
    input.onNotice?.({
      kind: 'stalled', step,
      message: `validation did not improve after ${rollbacksInARow} rollbacks in a row: stopped early on the best weights (validation ${best.toFixed(3)} bits/char)`,
    });
    input.onProgress?.({ ...snapshot(), validated: true });
  } else if (stopReason !== 'aborted' || step > 0) await validate();
  const finalWeights = flat.slice();
  const progress = snapshot();
  input.onProgress?.(progress);
  const noValidation = !bestWeights;
  return {
    bestWeights: bestWeights ?? finalWeights,
    finalWeights,
    optimizerState: noValidation ? adam.snapshot() : bestOptimizer,
    scheduleAt: noValidation ? scheduleAt() : bestScheduleAt,
    progress,
    stopReason,
    best: bestScore,
    initial: initialScore,
    improved: noValidation ? step > 0 : improved,
    rollbacks,
  };
}

function copyState(s: AdamState): AdamState {
  return { step: s.step, m: s.m.slice(), v: s.v.slice() };
}

/**
 * Returns a function that scores held-out tokens (the first `validationChars`) in bits per character with the
 * given weights, or null when there are too few held-out tokens for one batch.
 */
export function createValidator(
  kernels: Kernels, model: ModelConfig, cfg: TrainConfig, tokens: Int32Array,
): ((weights: Float32Array) => number) | null {
  const score = createHeldOutScorer(kernels, model, cfg, tokens);
  return score && ((weights) => score(weights).bitsPerChar);
}

/**
 * As {@link createValidator}, with the whole figure: bits per character over the characters the vocabulary knows,
 * and the unknown characters counted apart.
 */
export function createHeldOutScorer(
  kernels: Kernels, model: ModelConfig, cfg: TrainConfig, tokens: Int32Array,
): ((weights: Float32Array) => HeldOutScore) | null {
  const scorer = heldOutStreamScorer(kernels, model, cfg, tokens);
  return scorer && ((weights) => scorer.score(weights));
}

/** The scorer of the first `validationChars` held-out tokens, or null when there are too few for one batch. */
function heldOutStreamScorer(kernels: Kernels, model: ModelConfig, cfg: TrainConfig, tokens: Int32Array): StreamScorer | null {
  const slice = tokens.subarray(0, Math.min(tokens.length, cfg.validationChars + 1));
  return StreamScorer.create(kernels, model, slice, cfg.batchSize, cfg.seqLength);
}
