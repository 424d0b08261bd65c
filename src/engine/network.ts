/**
 * The recurrent language model's forward and backward pass over a batch, on the engine's own kernels.
 *
 * Data are time-major: a batch of `B` sequences of `T` characters is `ids[t * B + b]`. Hidden state is
 * carried between consecutive batches (stateful truncated BPTT, as in classic char-rnn): sequence `b` of one
 * batch continues sequence `b` of the previous one, and gradients stop at the batch boundary.
 */
import { gatesOf, type ModelConfig } from '../shared/modelConfig';
import * as cells from './cells';
import type { Kernels } from './kernels/types';
import { ParamViews, paramLayout, rnnLayerName, totalSize, type ParamSpec } from './params';
import { Rng } from './rng';

interface LayerBuffers {
  input: number;          // input width (E for layer 0, H above)
  W: Float32Array; U: Float32Array; bias: Float32Array;
  dW: Float32Array; dU: Float32Array; dbias: Float32Array;
  hs: Float32Array;       // [(T+1)·B, H]; rows 0..B are the carried initial state
  cs: Float32Array | null; // LSTM cell state, same layout
  gates: Float32Array;    // [T·B, G·H] activations
  rh: Float32Array | null; // GRU r ⊙ hPrev, [T·B, H]
  mask: Float32Array | null; // dropout mask on the layer's output, [T·B, H]
  out: Float32Array;      // the layer's output after dropout, [T·B, H] (== hs rows B.. when no dropout)
}

export class Network {
  readonly specs: readonly ParamSpec[];
  readonly params: ParamViews;
  readonly grads: ParamViews;
  private readonly layers: LayerBuffers[] = [];
  private readonly xe: Float32Array;      // embedded input [T·B, E]
  private readonly logits: Float32Array;  // [T·B, V]
  private readonly dz: Float32Array;      // [T·B, G·H] gate gradients of the layer being back-propagated
  private readonly dA: Float32Array;      // [T·B, max(E, H)] gradient w.r.t. a layer's output/input (ping)
  private readonly dB: Float32Array;      // (pong)
  private readonly dh: Float32Array;      // [B, H]
  private readonly dhNext: Float32Array;  // [B, H]
  private readonly dc: Float32Array;      // [B, H]
  private readonly drh: Float32Array;     // [B, H]
  private ids: Int32Array = new Int32Array(0);

  constructor(
    private readonly kernels: Kernels,
    readonly config: ModelConfig,
    readonly batch: number,
    readonly seqLength: number,
  ) {
    const { units: H, embeddingSize: E, vocabSize: V, cell } = config;
    const G = gatesOf(cell) * H;
    const B = batch;
    const N = B * seqLength;
    this.specs = paramLayout(config);
    const size = totalSize(this.specs);
    this.params = new ParamViews(this.specs, kernels.alloc(size));
    this.grads = new ParamViews(this.specs, kernels.alloc(size));
    for (let l = 0; l < config.layers; l++) {
      const name = rnnLayerName(l);
      const hs = kernels.alloc((seqLength + 1) * B * H);
      const mask = config.dropout > 0 ? kernels.alloc(N * H) : null;
      this.layers.push({
        input: l === 0 ? E : H,
        W: this.params.get(`${name}/kernel`), U: this.params.get(`${name}/recurrent_kernel`),
        bias: this.params.get(`${name}/bias`),
        dW: this.grads.get(`${name}/kernel`), dU: this.grads.get(`${name}/recurrent_kernel`),
        dbias: this.grads.get(`${name}/bias`),
        hs,
        cs: cell === 'lstm' ? kernels.alloc((seqLength + 1) * B * H) : null,
        gates: kernels.alloc(N * G),
        rh: cell === 'gru' ? kernels.alloc(N * H) : null,
        mask,
        out: mask ? kernels.alloc(N * H) : hs.subarray(B * H),
      });
    }
    this.xe = kernels.alloc(N * E);
    this.logits = kernels.alloc(N * V);
    this.dz = kernels.alloc(N * G);
    this.dA = kernels.alloc(N * Math.max(E, H));
    this.dB = kernels.alloc(N * Math.max(E, H));
    this.dh = kernels.alloc(B * H);
    this.dhNext = kernels.alloc(B * H);
    this.dc = kernels.alloc(B * H);
    this.drh = kernels.alloc(B * H);
  }

  /** Zeroes the carried recurrent state (start of an epoch, or a new stream). */
  resetState(): void {
    const n = this.batch * this.config.units;
    for (const L of this.layers) {
      L.hs.fill(0, 0, n);
      L.cs?.fill(0, 0, n);
    }
  }

  /**
   * Forward pass over `ids` [T·B] with targets `targets` [T·B]; with `dropoutRng`, applies dropout (training).
   * Returns the summed cross-entropy in nats. Afterwards `logits` holds dL/dlogits (mean over the batch)
   * when `withGradient`, otherwise probabilities up to scale.
   */
  private forward(ids: Int32Array, targets: Int32Array, dropoutRng: Rng | null, withGradient: boolean): number {
    const { units: H, embeddingSize: E, vocabSize: V, cell } = this.config;
    const B = this.batch;
    const T = this.seqLength;
    const N = B * T;
    const G = gatesOf(cell) * H;
    const k = this.kernels;
    if (ids.length !== N || targets.length !== N) throw new Error(`expected ${N} ids and targets`);
    this.ids = ids;
    const emb = this.params.get('embedding/embeddings');
    for (let n = 0; n < N; n++) {
      const id = ids[n]!;
      this.xe.set(emb.subarray(id * E, id * E + E), n * E);
    }
    let x = this.xe;
    for (const L of this.layers) {
      // All time steps' input projections at once, then the bias.
      k.gemm(false, false, N, G, L.input, x, L.input, L.W, G, L.gates, G, false);
      addRowBias(N, G, L.gates, L.bias);
      for (let t = 0; t < T; t++) {
        const gates = L.gates.subarray(t * B * G, (t + 1) * B * G);
        const hPrev = L.hs.subarray(t * B * H, (t + 1) * B * H);
        const h = L.hs.subarray((t + 1) * B * H, (t + 2) * B * H);
        if (cell === 'lstm') {
          k.gemm(false, false, B, G, H, hPrev, H, L.U, G, gates, G, true);
          const cs = L.cs!;
          cells.lstmForward(B, H, gates, cs.subarray(t * B * H, (t + 1) * B * H), cs.subarray((t + 1) * B * H, (t + 2) * B * H), h);
        } else if (cell === 'gru') {
          const rh = L.rh!.subarray(t * B * H, (t + 1) * B * H);
          k.gemm(false, false, B, 2 * H, H, hPrev, H, L.U, G, gates, G, true);
          cells.gruGates(B, H, gates, hPrev, rh);
          k.gemm(false, false, B, H, H, rh, H, L.U.subarray(2 * H), G, gates.subarray(2 * H), G, true);
          cells.gruOutput(B, H, gates, hPrev, h);
        } else {
          k.gemm(false, false, B, G, H, hPrev, H, L.U, G, gates, G, true);
          cells.rnnForward(B, H, gates, h);
        }
      }
      if (L.mask) {
        const hsOut = L.hs.subarray(B * H);
        if (dropoutRng) {
          const keep = 1 - this.config.dropout;
          const scale = 1 / keep;
          for (let i = 0; i < N * H; i++) {
            const m = dropoutRng.next() < keep ? scale : 0;
            L.mask[i] = m;
            L.out[i] = hsOut[i]! * m;
          }
        } else {
          L.mask.fill(1);
          L.out.set(hsOut);
        }
      }
      x = L.out;
    }
    k.gemm(false, false, N, V, H, x, H, this.params.get('output/kernel'), V, this.logits, V, false);
    addRowBias(N, V, this.logits, this.params.get('output/bias'));
    return cells.softmaxCrossEntropy(N, V, this.logits, targets, withGradient ? 1 / N : 0);
  }

  /** Moves the last time step's state into the carried-state slot for the next batch. */
  private carryState(): void {
    const n = this.batch * this.config.units;
    const T = this.seqLength;
    for (const L of this.layers) {
      L.hs.copyWithin(0, T * n, (T + 1) * n);
      L.cs?.copyWithin(0, T * n, (T + 1) * n);
    }
  }

  /** Forward only (no dropout, no gradients); carries the state on. Returns summed nats over the batch. */
  evaluate(ids: Int32Array, targets: Int32Array): number {
    const loss = this.forward(ids, targets, null, false);
    this.carryState();
    return loss;
  }

  /**
   * One forward and backward pass. Overwrites every gradient with dL/dθ of the mean cross-entropy
   * over the batch, carries the state on, and returns the mean loss in nats per character.
   */
  trainStep(ids: Int32Array, targets: Int32Array, dropoutRng: Rng | null): number {
    const loss = this.forward(ids, targets, dropoutRng, true);
    this.backward();
    this.carryState();
    return loss / ids.length;
  }

  private backward(): void {
    const { units: H, embeddingSize: E, vocabSize: V, cell } = this.config;
    const B = this.batch;
    const T = this.seqLength;
    const N = B * T;
    const G = gatesOf(cell) * H;
    const k = this.kernels;
    const top = this.layers[this.layers.length - 1]!;
    // Dense layer.
    k.gemm(true, false, H, V, N, top.out, H, this.logits, V, this.grads.get('output/kernel'), V, false);
    columnSums(N, V, this.logits, this.grads.get('output/bias'));
    let dOut = this.dA;
    let dIn = this.dB;
    k.gemm(false, true, N, H, V, this.logits, V, this.params.get('output/kernel'), V, dOut, H, false);

    for (let l = this.layers.length - 1; l >= 0; l--) {
      const L = this.layers[l]!;
      if (L.mask) for (let i = 0; i < N * H; i++) dOut[i] = dOut[i]! * L.mask[i]!;
      this.dhNext.fill(0);
      this.dc.fill(0);
      for (let t = T - 1; t >= 0; t--) {
        const rows = t * B * H;
        const dh = this.dh;
        for (let i = 0; i < B * H; i++) dh[i] = dOut[rows + i]! + this.dhNext[i]!;
        const gates = L.gates.subarray(t * B * G, (t + 1) * B * G);
        const dz = this.dz.subarray(t * B * G, (t + 1) * B * G);
        const hPrev = L.hs.subarray(t * B * H, (t + 1) * B * H);
        if (cell === 'lstm') {
          const cs = L.cs!;
          cells.lstmBackward(B, H, gates, cs.subarray(t * B * H, (t + 1) * B * H),
            cs.subarray((t + 1) * B * H, (t + 2) * B * H), dh, this.dc, dz);
          k.gemm(false, true, B, H, G, dz, G, L.U, G, this.dhNext, H, false);
        } else if (cell === 'gru') {
          cells.gruBackwardZH(B, H, gates, hPrev, dh, dz, this.dhNext);
          k.gemm(false, true, B, H, H, dz.subarray(2 * H), G, L.U.subarray(2 * H), G, this.drh, H, false);
          cells.gruBackwardR(B, H, gates, hPrev, this.drh, dz, this.dhNext);
          k.gemm(false, true, B, H, 2 * H, dz, G, L.U, G, this.dhNext, H, true);
        } else {
          cells.rnnBackward(B, H, L.hs.subarray((t + 1) * B * H, (t + 2) * B * H), dh, dz);
          k.gemm(false, true, B, H, G, dz, G, L.U, G, this.dhNext, H, false);
        }
      }
      // Weight gradients for all time steps at once.
      const hPrevAll = L.hs.subarray(0, N * H);
      if (cell === 'gru') {
        k.gemm(true, false, H, 2 * H, N, hPrevAll, H, this.dz, G, L.dU, G, false);
        k.gemm(true, false, H, H, N, L.rh!, H, this.dz.subarray(2 * H), G, L.dU.subarray(2 * H), G, false);
      } else {
        k.gemm(true, false, H, G, N, hPrevAll, H, this.dz, G, L.dU, G, false);
      }
      const x = l === 0 ? this.xe : this.layers[l - 1]!.out;
      k.gemm(true, false, L.input, G, N, x, L.input, this.dz, G, L.dW, G, false);
      columnSums(N, G, this.dz, L.dbias);
      k.gemm(false, true, N, L.input, G, this.dz, G, L.W, G, dIn, L.input, false);
      [dOut, dIn] = [dIn, dOut];
    }
    // Embedding: scatter-add the input gradients (now in dOut, [N, E]).
    const dEmb = this.grads.get('embedding/embeddings');
    dEmb.fill(0);
    for (let n = 0; n < N; n++) {
      const base = this.ids[n]! * E;
      for (let e = 0; e < E; e++) dEmb[base + e]! += dOut[n * E + e]!;
    }
  }
}

function addRowBias(rows: number, cols: number, m: Float32Array, bias: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) m[o + c]! += bias[c]!;
  }
}

function columnSums(rows: number, cols: number, m: Float32Array, out: Float32Array): void {
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[c]! += m[o + c]!;
  }
}
