/** Adam with bias correction and global-norm gradient clipping, over flat float32 parameter buffers. */
import { referenceTrainOps } from './kernels/reference';
import type { Kernels, TrainOps } from './kernels/types';

export interface AdamState {
  step: number;
  m: Float32Array;
  v: Float32Array;
}

export class Adam {
  readonly state: AdamState;
  private readonly ops: TrainOps;

  /**
   * With `kernels`, the moments live in their memory and the update runs on their {@link TrainOps} (a given
   * `state` is copied in); `params` and `grads` passed to {@link update} must then come from them too.
   */
  constructor(
    size: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
    state?: AdamState,
    kernels?: Kernels,
  ) {
    if (state && (state.m.length !== size || state.v.length !== size)) {
      throw new Error(`optimizer state has ${state.m.length} entries, the model ${size}`);
    }
    if (kernels?.train) {
      const m = kernels.alloc(size);
      const v = kernels.alloc(size);
      if (state) {
        m.set(state.m);
        v.set(state.v);
      }
      this.state = { step: state?.step ?? 0, m, v };
      this.ops = kernels.train;
    } else {
      this.state = state ?? { step: 0, m: new Float32Array(size), v: new Float32Array(size) };
      this.ops = REFERENCE;
    }
  }

  /** A copy of the state in ordinary memory (to save, or to hand to another thread). */
  snapshot(): AdamState {
    return { step: this.state.step, m: this.state.m.slice(), v: this.state.v.slice() };
  }

  /** params -= lr · m̂ / (√v̂ + ε), after scaling `grads` by `gradScale` (from clipping). */
  update(params: Float32Array, grads: Float32Array, lr: number, gradScale = 1): void {
    const s = this.state;
    s.step++;
    const { beta1: b1, beta2: b2, epsilon: eps } = this;
    const c1 = 1 - Math.pow(b1, s.step);
    const c2 = 1 - Math.pow(b2, s.step);
    const stepSize = lr * Math.sqrt(c2) / c1;
    this.ops.adam(params, grads, s.m, s.v, { beta1: b1, beta2: b2, stepSize, epsHat: eps * Math.sqrt(c2), gradScale });
  }
}

/** The optimizer's parts of the reference ops (they need no kernel set: no products). */
const REFERENCE = referenceTrainOps(null);

/** The L2 norm of all gradients together (on `kernels`' ops when given: `grads` must come from them). */
export function globalNorm(grads: Float32Array, kernels?: Kernels): number {
  return Math.sqrt((kernels?.train ?? REFERENCE).sumSquares(grads));
}

/** Scale that brings the global gradient norm down to `clipNorm` (1 when already below). */
export function clipScale(norm: number, clipNorm: number): number {
  return norm > clipNorm && norm > 0 ? clipNorm / norm : 1;
}

export interface ScheduleConfig {
  schedule: 'invsqrt' | 'constant' | 'cosine';
  learningRate: number;
  warmupSteps: number;
  decaySteps: number;
  lrFloor: number;
}

/**
 * Learning rate at optimiser step `step` (0-based): a linear warm-up over `warmupSteps`, then constant,
 * inverse-square-root decay to a floor, or cosine decay to 10% of the peak over the budget. `progress` in [0, 1]
 * is the fraction of the budget (time or steps) used; only the cosine schedule reads it.
 */
export function learningRateAt(s: ScheduleConfig, step: number, progress: number): number {
  const peak = s.learningRate;
  const warm = s.warmupSteps > 0 ? Math.min(1, (step + 1) / s.warmupSteps) : 1;
  switch (s.schedule) {
    case 'constant': return peak * warm;
    case 'invsqrt': {
      const after = Math.max(0, step + 1 - s.warmupSteps);
      return peak * warm * Math.max(s.lrFloor, 1 / Math.sqrt(1 + after / s.decaySteps));
    }
    case 'cosine': {
      const p = Math.min(1, Math.max(0, progress));
      return peak * warm * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * p)));
    }
  }
}
