/**
 * Parameter layout: every weight of the model as a named view into one contiguous float32 buffer.
 * Names and shapes are exactly those of the equivalent TF.js LayersModel, so export is a copy:
 * `embedding/embeddings [V, E]`, `rnn_<l>/kernel [in, G·H]`, `rnn_<l>/recurrent_kernel [H, G·H]`,
 * `rnn_<l>/bias [G·H]`, `output/kernel [H, V]`, `output/bias [V]` (G = gates: LSTM i,f,c,o; GRU z,r,h; RNN 1).
 */
import { gatesOf, type InitStyle, type ModelConfig } from '../shared/modelConfig';
import { Rng } from './rng';

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly size: number;
  /** Offset in elements into the flat buffer. */
  readonly offset: number;
}

export function rnnLayerName(layer: number): string {
  return `rnn_${layer + 1}`;
}

/** The model's parameters in TF.js weight order. */
export function paramLayout(c: ModelConfig): ParamSpec[] {
  const specs: ParamSpec[] = [];
  let offset = 0;
  const add = (name: string, shape: number[]): void => {
    const size = shape.reduce((a, b) => a * b, 1);
    specs.push({ name, shape, size, offset });
    offset += size;
  };
  const g = gatesOf(c.cell);
  add('embedding/embeddings', [c.vocabSize, c.embeddingSize]);
  for (let l = 0; l < c.layers; l++) {
    const input = l === 0 ? c.embeddingSize : c.units;
    add(`${rnnLayerName(l)}/kernel`, [input, g * c.units]);
    add(`${rnnLayerName(l)}/recurrent_kernel`, [c.units, g * c.units]);
    add(`${rnnLayerName(l)}/bias`, [g * c.units]);
  }
  add('output/kernel', [c.units, c.vocabSize]);
  add('output/bias', [c.vocabSize]);
  return specs;
}

export function totalSize(specs: readonly ParamSpec[]): number {
  const last = specs[specs.length - 1];
  return last ? last.offset + last.size : 0;
}

/** Named views over a flat buffer laid out by {@link paramLayout}. */
export class ParamViews {
  private readonly byName = new Map<string, Float32Array>();

  constructor(readonly specs: readonly ParamSpec[], readonly flat: Float32Array) {
    if (flat.length < totalSize(specs)) throw new Error('parameter buffer too small for the layout');
    for (const s of specs) this.byName.set(s.name, flat.subarray(s.offset, s.offset + s.size));
  }

  get(name: string): Float32Array {
    const v = this.byName.get(name);
    if (!v) throw new Error(`no parameter named ${name}`);
    return v;
  }
}

/**
 * Initialises parameters as TF.js layers do by default: uniform ±0.05 embeddings, Glorot-uniform kernels,
 * orthogonal recurrent kernels (per gate block), zero biases with the LSTM forget-gate bias at 1.
 */
export function initParams(c: ModelConfig, views: ParamViews, seed: number, style: InitStyle = 'keras'): void {
  if (style === 'torch') {
    initParamsTorch(c, views, seed);
    return;
  }
  const rng = new Rng(seed);
  const g = gatesOf(c.cell);
  const H = c.units;
  uniform(views.get('embedding/embeddings'), 0.05, rng);
  for (let l = 0; l < c.layers; l++) {
    const input = l === 0 ? c.embeddingSize : H;
    const name = rnnLayerName(l);
    uniform(views.get(`${name}/kernel`), Math.sqrt(6 / (input + g * H)), rng);
    const rec = views.get(`${name}/recurrent_kernel`);
    for (let gate = 0; gate < g; gate++) orthogonalBlock(rec, H, g * H, gate * H, rng);
    const bias = views.get(`${name}/bias`);
    bias.fill(0);
    if (c.cell === 'lstm') bias.fill(1, H, 2 * H);
  }
  uniform(views.get('output/kernel'), Math.sqrt(6 / (H + c.vocabSize)), rng);
  views.get('output/bias').fill(0);
}

/** `keras`: TF.js layers' defaults (above); `torch`: PyTorch's nn.Embedding / nn.LSTM / nn.Linear defaults. */
export type { InitStyle } from '../shared/modelConfig';

/**
 * PyTorch's defaults, for side-by-side runs with a PyTorch peer: N(0, 1) embeddings; every LSTM weight uniform
 * ±1/√H, the bias the sum of two such (PyTorch has b_ih and b_hh); the output layer uniform ±1/√H.
 */
function initParamsTorch(c: ModelConfig, views: ParamViews, seed: number): void {
  const rng = new Rng(seed);
  const H = c.units;
  const e = views.get('embedding/embeddings');
  for (let i = 0; i < e.length; i++) e[i] = rng.normal();
  const k = 1 / Math.sqrt(H);
  for (let l = 0; l < c.layers; l++) {
    const name = rnnLayerName(l);
    uniform(views.get(`${name}/kernel`), k, rng);
    uniform(views.get(`${name}/recurrent_kernel`), k, rng);
    const bias = views.get(`${name}/bias`);
    for (let i = 0; i < bias.length; i++) bias[i] = (rng.next() * 2 - 1) * k + (rng.next() * 2 - 1) * k;
  }
  uniform(views.get('output/kernel'), k, rng);
  uniform(views.get('output/bias'), k, rng);
}

function uniform(a: Float32Array, limit: number, rng: Rng): void {
  for (let i = 0; i < a.length; i++) a[i] = (rng.next() * 2 - 1) * limit;
}

/** Fills columns [col0, col0+n) of an [n, ld] row-major matrix with a random orthogonal n×n block (Gram-Schmidt). */
function orthogonalBlock(m: Float32Array, n: number, ld: number, col0: number, rng: Rng): void {
  const q = new Float64Array(n * n); // rows are the basis vectors
  for (let i = 0; i < n; i++) {
    const row = q.subarray(i * n, (i + 1) * n);
    for (;;) {
      for (let j = 0; j < n; j++) row[j] = rng.normal();
      for (let k = 0; k < i; k++) {
        const prev = q.subarray(k * n, (k + 1) * n);
        let dot = 0;
        for (let j = 0; j < n; j++) dot += row[j]! * prev[j]!;
        for (let j = 0; j < n; j++) row[j]! -= dot * prev[j]!;
      }
      let norm = 0;
      for (let j = 0; j < n; j++) norm += row[j]! * row[j]!;
      norm = Math.sqrt(norm);
      if (norm > 1e-6) {
        for (let j = 0; j < n; j++) row[j]! /= norm;
        break;
      }
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * ld + col0 + j] = q[i * n + j]!;
}
