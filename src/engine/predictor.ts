/**
 * Batch-1 inference with explicit recurrent state: feed characters one at a time, read the next-character
 * distribution, clone the state to branch (e.g. per open document, or to search alternatives).
 * Layer 0's input projection is precomputed per vocabulary entry (embedding · W + b), so a step costs one
 * recurrent matrix-vector product per layer plus the output layer.
 *
 * By default (when the kernels implement {@link Kernels.quantize}) those products run on int8 weights with a
 * scale per column and int16 activations (see kernels/quantized.ts): the weights of the reference model shrink
 * from 3.1 MB of float32, which does not fit a core's L2 cache, to 0.8 MB. LSTM and simple-RNN layers above the
 * first fuse their two products into one, [x; h] · [W; U], with k = 2H; for GRU layers only the update and
 * reset columns are fused (the candidate's recurrent product needs the reset gate first). Training and the
 * batched Network always use float32.
 */
import { gatesOf, type ModelConfig } from '../shared/modelConfig';
import { runNow, type Steps } from '../shared/steps';
import * as cells from './cells';
import type { Kernels, QuantizedMatrix } from './kernels/types';
import { Network } from './network';
import { Adam, clipScale, globalNorm } from './optimizer';
import { paramLayout, ParamViews, rnnLayerName, totalSize } from './params';
import { UNKNOWN_ID } from './vocab';

/** Hidden (and LSTM cell) state of every layer, flat: `[h_0, c_0, h_1, c_1, ...]`, each `units` long. */
export interface RecurrentState {
  readonly data: Float32Array;
  /** Characters fed so far (for callers that cache by position). */
  fed: number;
}

/**
 * What generation and the per-document state cache need from a model that reads one character id at a time:
 * the LSTM {@link Predictor}, or a mixture of it with an n-gram model (`src/mix`).
 */
export interface StepModel<S extends RecurrentState = RecurrentState> {
  newState(): S;
  cloneState(s: S): S;
  /** Feeds one id; returns the next-id distribution (a buffer reused by the next call). */
  step(state: S, id: number, wantProbs?: boolean): Float32Array;
  /**
   * Feeds a sequence; returns the distribution after its last id (null if empty). `learn`: the ids are text the
   * user really wrote (not the model's own guesses), so an adaptive model may learn from them.
   */
  feed(state: S, ids: ArrayLike<number>, learn?: boolean): Float32Array | null;
}

/** Options of {@link Predictor}. */
export interface PredictorOptions {
  /**
   * Run the recurrent and output products on int8 weights when the kernels support it.
   * @default true
   */
  quantize?: boolean;
  /**
   * Run the LSTM cell's element-wise math with the kernels' {@link Kernels.lstmCell} when they have it (in
   * WebAssembly: about 5x faster than JavaScript's Math.exp/Math.tanh, accurate to about 1e-6).
   * @default true
   */
  nativeCells?: boolean;
  /**
   * Dynamic evaluation: the step size of plain SGD on the output layer (kernel and bias) after each character of
   * real text fed with `learn` (never the model's own guesses), on that character's log-loss. 0 = the weights
   * never change. The output layer then runs in float32 (it is small; the recurrent products stay int8).
   * @default {@link DEFAULT_ADAPT_RATE}
   */
  adaptRate?: number;
}

/** Output-layer SGD step size of dynamic evaluation (chosen with `inkling eval` on held-out text). */
export const DEFAULT_ADAPT_RATE = 0.01;

/** How {@link Predictor.rehearse} trains on recent text. */
export interface RehearseOptions {
  /** Adam's step size (the optimizer's state carries over from one rehearsal to the next). */
  learningRate: number;
  /** Characters per BPTT window (batch 1, state carried from one window to the next). */
  seqLength: number;
  /** Global gradient-norm clip. */
  clipNorm: number;
}

/**
 * Rehearsal defaults. Measured with the 10-minute models of the README's corpora, rehearsing the last 512
 * characters after every 256 read (adapting mixture / LSTM alone, bits/char, on the first 40,000 held-out
 * characters of tinyshakespeare and 60,000 of @types/node): without rehearsal 1.9330 / 2.1523 and 0.7239 / 1.0620;
 * Adam at 1e-4 1.9242 / 2.1251 and 0.7029 / 0.9567; at 3e-4 1.9237 / 2.1354 and 0.6934 / 0.9229; at 1e-3 1.9353 /
 * 2.2356; at 3e-3 1.9645 / 2.5146 (too fast: it forgets). On tfjs-layers' first 100,000 held-out characters
 * (n-gram part 0.2485) the mixture went from 0.2175 to 0.2138 at 3e-4.
 */
export const DEFAULT_REHEARSAL: RehearseOptions = { learningRate: 3e-4, seqLength: 64, clipNorm: 1 };

/** Characters of recent text a rehearsal trains on (8 windows of 64). */
export const REHEARSE_CHARS = 512;
/** New characters that make a pause worth a rehearsal (and how often `inkling eval` rehearses as it reads). */
export const REHEARSE_NEW_CHARS = 256;

/** Characters of real text the predictor remembers for rehearsal. */
export const RECENT_IDS = 4096;

/** What one rehearsal did. */
export interface Rehearsal {
  /** BPTT windows trained on (one Adam step each). */
  steps: number;
  /** Characters predicted in them. */
  chars: number;
  /** Mean loss on those characters before each step, bits per character (NaN when no step was taken). */
  bitsPerChar: number;
}

/** The quantized weights of a {@link Predictor}. */
interface QuantizedWeights {
  /**
   * Per layer, `main`: layer 0 `U_0` [H, G·H]; above, `[W_l; U_l]` [2H, G·H]. For GRU only the z and r columns
   * (2H) of those, plus the candidate's `uh` = U[:, 2H:] [H, H] and, above layer 0, `wh` = W[:, 2H:] [H, H].
   */
  layers: { main: QuantizedMatrix; wh?: QuantizedMatrix; uh?: QuantizedMatrix }[];
  /** `output/kernel` [H, V]. */
  output: QuantizedMatrix;
  /** Per layer: `rnn_l/bias` [G·H]. */
  biases: Float32Array[];
  /** [2H]: `[x; h]` of the layer being stepped, and its two halves. */
  xh: Float32Array;
  x: Float32Array;
  h: Float32Array;
  /** GRU: the z and r columns of the gates, and the candidate's. */
  zr: Float32Array;
  cand: Float32Array;
  gemvQ: NonNullable<Kernels['gemvQ']>;
}

export class Predictor implements StepModel {
  private readonly params: ParamViews;
  private readonly inputTable: Float32Array; // [V, G·H]: embedding · W_0 + b_0
  private readonly gates: Float32Array;      // [G·H]
  private readonly tmp: Float32Array;        // [H] scratch (GRU r ⊙ h)
  private readonly probs: Float32Array;      // [V]
  private readonly h: Float32Array;          // working copy of one layer's h [H]
  private readonly c: Float32Array;          // [H]
  private readonly x: Float32Array;          // [H] the layer below's new output
  private readonly hOut: Float32Array;       // [H] output of Kernels.lstmCell
  private readonly stride: number;           // floats per layer in the state
  private q: QuantizedWeights | null;
  /** Rehearsal's batch-1 network and optimizer, made on the first rehearsal. */
  private rehearser: { net: Network; adam: Adam; T: number } | null = null;
  private readonly lstmCell: ((H: number, gates: Float32Array, c: Float32Array, h: Float32Array) => void) | null;
  private readonly adaptProbs: Float32Array; // [V] scratch of learn()
  /** Output-layer SGD step size (see {@link PredictorOptions.adaptRate}); may be changed at any time. */
  adaptRate: number;
  /** Characters learned from (dynamic evaluation) since construction. */
  learned = 0;
  /** The last {@link RECENT_IDS} characters learned from, as a ring (what rehearsal trains on). */
  private readonly recentRing = new Int32Array(RECENT_IDS);

  constructor(
    private readonly kernels: Kernels, readonly config: ModelConfig, weights: Float32Array, opts: PredictorOptions = {},
  ) {
    const specs = paramLayout(config);
    if (weights.length !== totalSize(specs)) {
      throw new Error(`weights have ${weights.length} values, the model needs ${totalSize(specs)}`);
    }
    const flat = kernels.alloc(weights.length);
    flat.set(weights);
    this.params = new ParamViews(specs, flat);
    const { units: H, vocabSize: V, cell } = config;
    const G = gatesOf(cell) * H;
    this.inputTable = kernels.alloc(V * G);
    this.fillInputTable();
    this.gates = kernels.alloc(G);
    this.tmp = kernels.alloc(H);
    this.probs = kernels.alloc(V);
    this.h = kernels.alloc(H);
    this.c = kernels.alloc(H);
    this.x = kernels.alloc(H);
    this.hOut = kernels.alloc(H);
    this.stride = cell === 'lstm' ? 2 * H : H;
    this.q = (opts.quantize ?? true) ? this.quantizeWeights() : null;
    this.lstmCell = (opts.nativeCells ?? true) && kernels.lstmCell ? kernels.lstmCell.bind(kernels) : null;
    this.adaptProbs = kernels.alloc(V);
    this.adaptRate = opts.adaptRate ?? DEFAULT_ADAPT_RATE;
  }

  /** inputTable = embedding · W_0 + b_0. */
  private fillInputTable(): void {
    const { embeddingSize: E, vocabSize: V, cell, units: H } = this.config;
    const G = gatesOf(cell) * H;
    const W0 = this.params.get(`${rnnLayerName(0)}/kernel`);
    this.kernels.gemm(false, false, V, G, E, this.params.get('embedding/embeddings'), E, W0, G, this.inputTable, G, false);
    const b0 = this.params.get(`${rnnLayerName(0)}/bias`);
    for (let v = 0; v < V; v++) for (let j = 0; j < G; j++) this.inputTable[v * G + j]! += b0[j]!;
  }

  /** A copy of the current weights (they change as the model learns from what the user writes). */
  weights(): Float32Array {
    return this.params.flat.slice(0, totalSize(this.params.specs));
  }

  /**
   * Rehearsal, the second half of dynamic evaluation: a few steps of truncated BPTT over text the user really
   * wrote (`ids`, oldest first; never the model's own guesses), on every weight, batch 1, windows of
   * `seqLength` characters with the state carried from one to the next, Adam (its state kept from one rehearsal
   * to the next) and clipping. The predictor's weights change only at the end (so a rehearsal run in slices
   * leaves suggestions made between its steps on the old weights). Dropout is off. Yields after each window.
   */
  *rehearseSteps(ids: ArrayLike<number>, opts: Partial<RehearseOptions> = {}): Steps<Rehearsal> {
    const o = { ...DEFAULT_REHEARSAL, ...opts };
    const T = o.seqLength;
    const windows = Math.floor((ids.length - 1) / T);
    if (windows < 1) return { steps: 0, chars: 0, bitsPerChar: Number.NaN };
    const size = totalSize(this.params.specs);
    if (!this.rehearser || this.rehearser.T !== T) {
      this.rehearser = { net: new Network(this.kernels, { ...this.config, dropout: 0 }, 1, T), adam: new Adam(size, 0.9, 0.999, 1e-8, undefined, this.kernels), T };
    }
    const { net, adam } = this.rehearser;
    net.params.flat.set(this.params.flat.subarray(0, size));
    net.resetState();
    const x = new Int32Array(T);
    const y = new Int32Array(T);
    let nats = 0;
    // The most recent windows: the text's last windows·T + 1 characters.
    const start = ids.length - windows * T - 1;
    for (let w = 0; w < windows; w++) {
      for (let t = 0; t < T; t++) {
        x[t] = ids[start + w * T + t]!;
        y[t] = ids[start + w * T + t + 1]!;
      }
      nats += net.trainStep(x, y, null) * T;
      const grads = net.grads.flat;
      adam.update(net.params.flat, grads, o.learningRate, clipScale(globalNorm(grads, this.kernels), o.clipNorm));
      yield;
    }
    this.params.flat.set(net.params.flat.subarray(0, size));
    this.fillInputTable();
    if (this.q) this.q = this.quantizeWeights(this.q);
    return { steps: windows, chars: windows * T, bitsPerChar: nats / (windows * T) / Math.LN2 };
  }

  /** {@link rehearseSteps} at once. */
  rehearse(ids: ArrayLike<number>, opts: Partial<RehearseOptions> = {}): Rehearsal {
    return runNow(this.rehearseSteps(ids, opts));
  }

  /** True when the recurrent and output products run on int8 weights. */
  get quantized(): boolean {
    return this.q !== null;
  }

  /** The int8 weights; with `prev`, quantized again into its memory where the kernels can (after rehearsal). */
  private quantizeWeights(prev?: QuantizedWeights): QuantizedWeights | null {
    const k = this.kernels;
    if (!k.quantize || !k.gemvQ) return null;
    const quantize = (w: Float32Array, rows: number, cols: number, ld: number, old: QuantizedMatrix | undefined): QuantizedMatrix => {
      if (old && k.requantize) {
        k.requantize(old, w, ld);
        return old;
      }
      return k.quantize!(w, rows, cols, ld);
    };
    const { units: H, vocabSize: V, cell, layers } = this.config;
    const G = gatesOf(cell) * H;
    const qs: QuantizedWeights['layers'] = [];
    const stacked = new Float32Array(2 * H * G);
    // Columns fused over [x; h]: all of them, except the GRU candidate's.
    const N = cell === 'gru' ? 2 * H : G;
    for (let l = 0; l < layers; l++) {
      const name = rnnLayerName(l);
      const U = this.params.get(`${name}/recurrent_kernel`);
      const W = this.params.get(`${name}/kernel`);
      const old = prev?.layers[l];
      let main: QuantizedMatrix;
      if (l === 0) {
        main = quantize(U, H, N, G, old?.main);
      } else {
        stacked.set(W, 0);
        stacked.set(U, H * G);
        main = quantize(stacked, 2 * H, N, G, old?.main);
      }
      qs.push(cell !== 'gru' ? { main } : {
        main,
        uh: quantize(U.subarray(2 * H), H, H, G, old?.uh),
        wh: l === 0 ? undefined : quantize(W.subarray(2 * H), H, H, G, old?.wh),
      });
    }
    const xh = prev?.xh ?? k.alloc(2 * H);
    return {
      layers: qs,
      output: quantize(this.params.get('output/kernel'), H, V, V, prev?.output),
      biases: Array.from({ length: layers }, (_, l) => this.params.get(`${rnnLayerName(l)}/bias`)),
      xh,
      zr: this.gates.subarray(0, 2 * H),
      cand: this.gates.subarray(2 * H),
      x: xh.subarray(0, H),
      h: xh.subarray(H, 2 * H),
      gemvQ: k.gemvQ.bind(k),
    };
  }

  newState(): RecurrentState {
    return { data: new Float32Array(this.stride * this.config.layers), fed: 0 };
  }

  cloneState(s: RecurrentState): RecurrentState {
    return { data: s.data.slice(), fed: s.fed };
  }

  /**
   * Feeds one character id and returns the distribution of the next one ([V] probabilities; the buffer is
   * reused by the next call). Pass `wantProbs = false` to skip the output layer while priming a context.
   */
  step(state: RecurrentState, id: number, wantProbs = true): Float32Array {
    const { units: H, vocabSize: V, cell, layers } = this.config;
    const G = gatesOf(cell) * H;
    const k = this.kernels;
    if (!(id >= 0 && id < V)) throw new RangeError(`character id ${id} outside the vocabulary (size ${V})`);
    if (this.q) return this.stepQuantized(this.q, state, id, wantProbs);
    const x = this.x;
    for (let l = 0; l < layers; l++) {
      const name = rnnLayerName(l);
      const U = this.params.get(`${name}/recurrent_kernel`);
      const base = l * this.stride;
      this.h.set(state.data.subarray(base, base + H));
      if (l === 0) {
        this.gates.set(this.inputTable.subarray(id * G, (id + 1) * G));
      } else {
        k.gemm(false, false, 1, G, H, x, H, this.params.get(`${name}/kernel`), G, this.gates, G, false);
        const b = this.params.get(`${name}/bias`);
        for (let j = 0; j < G; j++) this.gates[j]! += b[j]!;
      }
      const out = state.data.subarray(base, base + H);
      if (cell === 'lstm') {
        this.c.set(state.data.subarray(base + H, base + 2 * H));
        k.gemm(false, false, 1, G, H, this.h, H, U, G, this.gates, G, true);
        this.lstm(H, this.gates, state.data.subarray(base + H, base + 2 * H), out);
      } else if (cell === 'gru') {
        k.gemm(false, false, 1, 2 * H, H, this.h, H, U, G, this.gates, G, true);
        cells.gruGates(1, H, this.gates, this.h, this.tmp);
        k.gemm(false, false, 1, H, H, this.tmp, H, U.subarray(2 * H), G, this.gates.subarray(2 * H), G, true);
        cells.gruOutput(1, H, this.gates, this.h, out);
      } else {
        k.gemm(false, false, 1, G, H, this.h, H, U, G, this.gates, G, true);
        cells.rnnForward(1, H, this.gates, out);
      }
      // The state lives in plain memory (cheap to clone and cache); the kernels read their own buffers.
      x.set(out);
    }
    state.fed++;
    if (!wantProbs) return this.probs;
    k.gemm(false, false, 1, V, H, x, H, this.params.get('output/kernel'), V, this.probs, V, false);
    return this.softmax();
  }

  /** {@link step} on the int8 weights. */
  private stepQuantized(q: QuantizedWeights, state: RecurrentState, id: number, wantProbs: boolean): Float32Array {
    const { units: H, cell, layers } = this.config;
    const G = gatesOf(cell) * H;
    const { xh, x, h, gemvQ } = q;
    const gates = this.gates;
    for (let l = 0; l < layers; l++) {
      const base = l * this.stride;
      h.set(state.data.subarray(base, base + H));
      const ql = q.layers[l]!;
      // gates = [x; h] · [W; U] + b (the GRU candidate's columns below), x being the layer below's output; at
      // layer 0, x · W + b comes from the input table.
      const fused = cell === 'gru' ? q.zr : gates;
      if (l === 0) {
        gates.set(this.inputTable.subarray(id * G, (id + 1) * G));
        gemvQ(h, ql.main, fused, true);
      } else {
        gates.set(q.biases[l]!);
        gemvQ(xh, ql.main, fused, true);
        if (ql.wh) gemvQ(x, ql.wh, q.cand, true);
      }
      const out = state.data.subarray(base, base + H);
      if (cell === 'lstm') {
        this.c.set(state.data.subarray(base + H, base + 2 * H));
        this.lstm(H, gates, state.data.subarray(base + H, base + 2 * H), out);
      } else if (cell === 'gru') {
        cells.gruGates(1, H, gates, h, this.tmp);
        gemvQ(this.tmp, ql.uh!, q.cand, true);
        cells.gruOutput(1, H, gates, h, out);
      } else {
        cells.rnnForward(1, H, gates, out);
      }
      x.set(out);
    }
    state.fed++;
    if (!wantProbs) return this.probs;
    // An adapting output layer changes after every character: it stays in float32.
    if (this.adaptRate > 0) this.kernels.gemm(false, false, 1, this.config.vocabSize, H, x, H, this.params.get('output/kernel'), this.config.vocabSize, this.probs, this.config.vocabSize, false);
    else gemvQ(x, q.output, this.probs, false);
    return this.softmax();
  }

  /**
   * Dynamic evaluation: `id` is the real character that follows the text fed into `state` so far (call before
   * feeding it). Takes one SGD step of size {@link adaptRate} on the output layer for −log p(id), from the top
   * layer's output in `state`. Costs two [H]×[H, V] passes. No-op when the rate is 0 or nothing was fed yet.
   */
  learn(state: RecurrentState, id: number): void {
    const { units: H, vocabSize: V, layers } = this.config;
    const lr = this.adaptRate;
    if (!(lr > 0) || state.fed === 0 || !(id >= 0 && id < V)) return;
    const top = (layers - 1) * this.stride;
    // The kernels read operands from their own memory; the state lives in plain memory.
    const h = this.x;
    h.set(state.data.subarray(top, top + H));
    const W = this.params.get('output/kernel');
    const b = this.params.get('output/bias');
    const p = this.adaptProbs;
    this.kernels.gemm(false, false, 1, V, H, h, H, W, V, p, V, false);
    let max = -Infinity;
    for (let v = 0; v < V; v++) {
      const z = (p[v] = p[v]! + b[v]!);
      if (z > max) max = z;
    }
    let sum = 0;
    for (let v = 0; v < V; v++) sum += p[v] = Math.exp(p[v]! - max);
    // p becomes −lr · dL/dlogits = lr · (onehot − softmax).
    for (let v = 0; v < V; v++) p[v] = -lr * (p[v]! / sum);
    p[id] = p[id]! + lr;
    for (let v = 0; v < V; v++) b[v] = b[v]! + p[v]!;
    for (let j = 0; j < H; j++) {
      const hj = h[j]!;
      if (hj === 0) continue;
      const row = j * V;
      for (let v = 0; v < V; v++) W[row + v] = W[row + v]! + hj * p[v]!;
    }
    this.recentRing[this.learned % RECENT_IDS] = id;
    this.learned++;
  }

  /** The last `n` (at most {@link RECENT_IDS}) characters learned from, oldest first. */
  recent(n = RECENT_IDS): Int32Array {
    const count = Math.min(n, RECENT_IDS, this.learned);
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.recentRing[(this.learned - count + i) % RECENT_IDS]!;
    return out;
  }

  /** LSTM cell from this.c (the old cell state, overwritten) and `gates`; writes the new state to `c` and `h`. */
  private lstm(H: number, gates: Float32Array, c: Float32Array, h: Float32Array): void {
    if (this.lstmCell) {
      this.lstmCell(H, gates, this.c, this.hOut);
      c.set(this.c);
      h.set(this.hOut);
    } else {
      cells.lstmForward(1, H, gates, this.c, c, h);
    }
  }

  /** probs = softmax(probs + output bias), in place. */
  private softmax(): Float32Array {
    const V = this.config.vocabSize;
    const b = this.params.get('output/bias');
    let max = -Infinity;
    for (let v = 0; v < V; v++) {
      const z = (this.probs[v] = this.probs[v]! + b[v]!);
      if (z > max) max = z;
    }
    let sum = 0;
    for (let v = 0; v < V; v++) sum += this.probs[v] = Math.exp(this.probs[v]! - max);
    for (let v = 0; v < V; v++) this.probs[v] = this.probs[v]! / sum;
    return this.probs;
  }

  /**
   * Feeds a sequence; returns the distribution after its last character (or null for an empty sequence).
   * `learn`: the ids are text the user really wrote, so the output layer learns from each (see {@link learn}).
   */
  feed(state: RecurrentState, ids: ArrayLike<number>, learn = false): Float32Array | null {
    let p: Float32Array | null = null;
    for (let i = 0; i < ids.length; i++) {
      if (learn && ids[i]! !== UNKNOWN_ID) this.learn(state, ids[i]!);
      p = this.step(state, ids[i]!, i === ids.length - 1);
    }
    return p;
  }
}
