/**
 * Model and training hyper-parameters: one source of truth for defaults, ranges and validation.
 * Pure: used by the engine, the CLI, the training worker and the extension's settings parsing.
 */
import { show } from './show';

export type CellType = 'lstm' | 'gru' | 'rnn';
export const CELL_TYPES: readonly CellType[] = ['lstm', 'gru', 'rnn'];

/**
 * Which kernels to use: `auto` = native TensorFlow through `@tensorflow/tfjs-node` when that optional
 * dependency is installed, else the project's WebAssembly SIMD kernels; `wasm`, `js` and `tfjs-node` ask for
 * one (falling back, with a reason, when it cannot run here).
 */
export type KernelChoice = 'auto' | 'wasm' | 'js' | 'tfjs-node';
export const KERNEL_CHOICES: readonly KernelChoice[] = ['auto', 'wasm', 'js', 'tfjs-node'];

/** Gates per cell: the recurrent kernels are `[units, gates * units]`. */
export function gatesOf(cell: CellType): number {
  switch (cell) {
    case 'lstm': return 4;
    case 'gru': return 3;
    case 'rnn': return 1;
  }
}

export interface ModelConfig {
  /** Recurrent cell. @default 'lstm' */
  cell: CellType;
  /** Stacked recurrent layers. @default 2 */
  layers: number;
  /** Hidden units per recurrent layer. @default 256 */
  units: number;
  /** Embedding width. @default 64 */
  embeddingSize: number;
  /**
   * Dropout rate between recurrent layers while training (on every layer's output except the top one's, as
   * PyTorch's and Keras' stacked LSTMs do). @default 0.1
   */
  dropout: number;
  /** Vocabulary size including the unknown-character id (set from the vocabulary). */
  vocabSize: number;
}

export type Schedule = 'invsqrt' | 'constant' | 'cosine';
export const SCHEDULES: readonly Schedule[] = ['invsqrt', 'constant', 'cosine'];

export type InitStyle = 'torch' | 'keras';
export const INIT_STYLES: readonly InitStyle[] = ['torch', 'keras'];

export interface TrainConfig {
  /**
   * Initialisation of a fresh model: `torch` (PyTorch's defaults: N(0, 1) embeddings, uniform ±1/√H weights and
   * biases) or `keras` (TF.js layers' defaults: uniform ±0.05 embeddings, Glorot/orthogonal kernels, forget-gate
   * bias 1). Measured side by side (src/bench/curve.ts): `keras` sits at the unigram level for ~100 steps. @default 'torch'
   */
  init: InitStyle;
  /**
   * Learning-rate schedule after the linear warm-up: `invsqrt` (peak · 1/√(1 + (step − warm-up)/decaySteps), never
   * below `lrFloor` · peak: it never ends, so training can always continue), `constant`, or `cosine` (to 10% of the
   * peak at the end of the budget). @default 'invsqrt'
   */
  schedule: Schedule;
  /** Steps of linear warm-up from 0 to the peak learning rate. @default 10 */
  warmupSteps: number;
  /** `invsqrt`: steps after the warm-up at which the rate is peak/√2. @default 200 */
  decaySteps: number;
  /** `invsqrt`: the lowest rate, as a fraction of the peak. @default 0.1 */
  lrFloor: number;
  /** Adam's first-moment decay. @default 0.8 */
  beta1: number;
  /** Adam's second-moment decay. @default 0.99 */
  beta2: number;
  /** Adam's ε. @default 1e-8 */
  adamEpsilon: number;
  /** Characters per training sequence (truncated BPTT length). @default 64 */
  seqLength: number;
  /** Sequences per batch. @default 16 */
  batchSize: number;
  /** Peak Adam learning rate (chosen by measurement, see the README's Defaults). @default 0.005 */
  learningRate: number;
  /** Global gradient-norm clip. @default 5 */
  clipNorm: number;
  /** Wall-clock budget in minutes (0 = no limit; then maxSteps or epochs bound the run). @default 10 */
  minutes: number;
  /** Upper bound on optimisation steps (0 = none). @default 0 */
  maxSteps: number;
  /** Upper bound on passes over the training text (0 = none). @default 0 */
  epochs: number;
  /** Fraction of files held out for validation. @default 0.1 */
  validationFraction: number;
  /** Held-out characters scored at each validation. @default 32768 */
  validationChars: number;
  /** Seconds between validations. @default 30 */
  validateEverySeconds: number;
  /** Seed for initialisation, batching and dropout. @default 1 */
  seed: number;
  /**
   * Share of one run's wall time spent computing (1 = all of it): below 1 the trainer rests after each step for
   * as long as the step took × (1 − share) / share (background training while the editor is idle). @default 1
   */
  cpuShare: number;
}

export const DEFAULT_MODEL: Omit<ModelConfig, 'vocabSize'> = {
  cell: 'lstm', layers: 2, units: 256, embeddingSize: 64, dropout: 0.1,
};

export const DEFAULT_TRAIN: TrainConfig = {
  init: 'torch', schedule: 'invsqrt', warmupSteps: 10, decaySteps: 200, lrFloor: 0.1, beta1: 0.8, beta2: 0.99, adamEpsilon: 1e-8,
  seqLength: 64, batchSize: 16, learningRate: 0.005, clipNorm: 5, minutes: 10, maxSteps: 0, epochs: 0,
  validationFraction: 0.1, validationChars: 32768, validateEverySeconds: 30, seed: 1, cpuShare: 1,
};

/** Allowed ranges: also what an imported model is checked against before anything is allocated. */
export const LIMITS = {
  warmupSteps: [0, 1e6],
  decaySteps: [1, 1e9],
  lrFloor: [0, 1],
  beta1: [0, 0.9999],
  beta2: [0, 0.999999],
  adamEpsilon: [1e-12, 1],
  layers: [1, 4],
  units: [8, 2048],
  embeddingSize: [4, 512],
  dropout: [0, 0.9],
  vocabSize: [2, 4096],
  seqLength: [4, 1024],
  batchSize: [1, 512],
  learningRate: [1e-6, 1],
  clipNorm: [0.01, 1000],
  minutes: [0, 24 * 60],
  maxSteps: [0, 1e9],
  epochs: [0, 1e6],
  validationFraction: [0, 0.5],
  validationChars: [256, 1 << 24],
  validateEverySeconds: [1, 3600],
  seed: [0, 2 ** 31 - 1],
  cpuShare: [0.05, 1],
} as const satisfies Record<string, readonly [number, number]>;

const INTEGER_KEYS = new Set(['warmupSteps', 'decaySteps', 'layers', 'units', 'embeddingSize', 'vocabSize', 'seqLength', 'batchSize', 'maxSteps',
  'epochs', 'validationChars', 'seed']);

/** Raised for a setting that is out of range or of the wrong type. The message names the setting and the range. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function checkNumber(key: keyof typeof LIMITS, value: unknown): number {
  const [lo, hi] = LIMITS[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError(`${key} must be a number from ${lo} to ${hi}, got ${show(value)}`);
  }
  if (INTEGER_KEYS.has(key) && !Number.isInteger(value)) {
    throw new ConfigError(`${key} must be a whole number from ${lo} to ${hi}, got ${value}`);
  }
  if (value < lo || value > hi) throw new ConfigError(`${key} must be from ${lo} to ${hi}, got ${value}`);
  return value;
}

/** Validates a complete model configuration (e.g. from a model file); throws {@link ConfigError}. */
export function validateModelConfig(raw: unknown): ModelConfig {
  if (typeof raw !== 'object' || raw === null) throw new ConfigError('model configuration must be an object');
  const r = raw as Record<string, unknown>;
  if (typeof r.cell !== 'string' || !CELL_TYPES.includes(r.cell as CellType)) {
    throw new ConfigError(`cell must be one of ${CELL_TYPES.join(', ')}, got ${show(r.cell)}`);
  }
  return {
    cell: r.cell as CellType,
    layers: checkNumber('layers', r.layers),
    units: checkNumber('units', r.units),
    embeddingSize: checkNumber('embeddingSize', r.embeddingSize),
    dropout: checkNumber('dropout', r.dropout),
    vocabSize: checkNumber('vocabSize', r.vocabSize),
  };
}

/** Merges overrides onto defaults and validates every field; throws {@link ConfigError}. */
export function resolveTrainConfig(overrides: Partial<TrainConfig> = {}): TrainConfig {
  const merged = { ...DEFAULT_TRAIN, ...stripUndefined(overrides) };
  const out = {} as Record<string, number | string>;
  for (const key of Object.keys(DEFAULT_TRAIN) as (keyof TrainConfig)[]) {
    if (key === 'init') {
      if (!INIT_STYLES.includes(merged.init)) throw new ConfigError(`init must be one of ${INIT_STYLES.join(', ')}, got ${show(merged.init)}`);
      out[key] = merged.init;
    } else if (key === 'schedule') {
      if (!SCHEDULES.includes(merged.schedule)) throw new ConfigError(`schedule must be one of ${SCHEDULES.join(', ')}, got ${show(merged.schedule)}`);
      out[key] = merged.schedule;
    } else {
      out[key] = checkNumber(key, merged[key]);
    }
  }
  return out as unknown as TrainConfig;
}

/** Merges overrides onto the default model shape; `vocabSize` comes from the vocabulary. */
export function resolveModelConfig(overrides: Partial<ModelConfig>, vocabSize: number): ModelConfig {
  return validateModelConfig({ ...DEFAULT_MODEL, ...stripUndefined(overrides), vocabSize });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Trainable parameters of a model: embedding + recurrent kernels, recurrent kernels and biases + dense. */
export function parameterCount(c: ModelConfig): number {
  const g = gatesOf(c.cell);
  let n = c.vocabSize * c.embeddingSize;
  for (let l = 0; l < c.layers; l++) {
    const input = l === 0 ? c.embeddingSize : c.units;
    n += input * g * c.units + c.units * g * c.units + g * c.units;
  }
  return n + c.units * c.vocabSize + c.vocabSize;
}
