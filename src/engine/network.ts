/**
 * The recurrent language model's forward and backward pass over a batch, on the engine's own kernels.
 *
 * Data are time-major: a batch of `B` sequences of `T` characters is `ids[t * B + b]`. Hidden state is
 * carried between consecutive batches (stateful truncated BPTT, as in classic char-rnn): sequence `b` of one
 * batch continues sequence `b` of the previous one, and gradients stop at the batch boundary.
 */
import { gatesOf, type ModelConfig } from '../shared/modelConfig';
import { referenceTrainOps } from './kernels/reference';
import type { Kernels, RecurrentLayer, RecurrentWork, TrainOps } from './kernels/types';
import { ParamViews, paramLayout, rnnLayerName, totalSize, type ParamSpec } from './params';
import type { PhaseClock } from './phases';
import { Rng } from './rng';

/** A layer's buffers (see {@link RecurrentLayer}: hs, cs, gates, rh, mask, out) and its weights. */
interface LayerBuffers extends RecurrentLayer {
  input: number;          // input width (E for layer 0, H above)
  W: Float32Array;
  dW: Float32Array; dU: Float32Array; dbias: Float32Array;
}

export class Network {
  readonly specs: readonly ParamSpec[];
  readonly params: ParamViews;
  readonly grads: ParamViews;
  private readonly layers: LayerBuffers[] = [];
  /**
   * With at most as many vocabulary entries as characters in a batch, layer 0's input projection is taken from
   * `ew` = embeddings · W [V, G·H] by row (the same sums, V instead of T·B products), and its gradients from
   * `dew` [V, G·H] = the gate gradients summed per character id. Otherwise `xe` [T·B, E] holds the embedded input.
   */
  private readonly ew: Float32Array | null;
  private readonly dew: Float32Array | null;
  private readonly xe: Float32Array | null;
  private readonly logits: Float32Array;  // [T·B, V]
  private readonly dz: Float32Array;      // [T·B, G·H] gate gradients of the layer being back-propagated
  private readonly dA: Float32Array;      // [T·B, max(E, H)] gradient w.r.t. a layer's output/input (ping)
  private readonly dB: Float32Array;      // (pong)
  private readonly work: RecurrentWork;   // [B, H] each
  private readonly ops: TrainOps;
  /** The batch's ids and targets, copied into the kernels' memory. */
  private readonly ids: Int32Array;
  private readonly targets: Int32Array;
  /** When set, each phase of a step is timed on it (`inkling bench --profile`). */
  clock: PhaseClock | null = null;

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
    this.ops = kernels.train ?? referenceTrainOps(kernels);
    this.specs = paramLayout(config);
    const size = totalSize(this.specs);
    this.params = new ParamViews(this.specs, kernels.alloc(size));
    this.grads = new ParamViews(this.specs, kernels.alloc(size));
    for (let l = 0; l < config.layers; l++) {
      const name = rnnLayerName(l);
      const hs = kernels.alloc((seqLength + 1) * B * H);
      // Dropout between layers only: the top layer's output goes to the softmax as it is (as in PyTorch's nn.LSTM).
      const mask = config.dropout > 0 && l < config.layers - 1 ? kernels.alloc(N * H) : null;
      this.layers.push({
        cell, B, T: seqLength, H,
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
    const byVocab = V <= N;
    this.ew = byVocab ? kernels.alloc(V * G) : null;
    this.dew = byVocab ? kernels.alloc(V * G) : null;
    this.xe = byVocab ? null : kernels.alloc(N * E);
    this.logits = kernels.alloc(N * V);
    this.dz = kernels.alloc(N * G);
    this.dA = kernels.alloc(N * Math.max(E, H));
    this.dB = kernels.alloc(N * Math.max(E, H));
    this.work = { dh: kernels.alloc(B * H), dhNext: kernels.alloc(B * H), dc: kernels.alloc(B * H), drh: kernels.alloc(B * H) };
    this.ids = int32(kernels.alloc(N));
    this.targets = int32(kernels.alloc(N));
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
    const T = this.seqLength;
    const N = this.batch * T;
    const G = gatesOf(cell) * H;
    const k = this.kernels;
    const ops = this.ops;
    if (ids.length !== N || targets.length !== N) throw new Error(`expected ${N} ids and targets`);
    const clock = this.clock;
    clock?.enter('embedding');
    this.ids.set(ids);
    this.targets.set(targets);
    const emb = this.params.get('embedding/embeddings');
    let x: Float32Array | null = this.xe;
    if (x) ops.gather(N, this.ids, emb, E, x);
    for (const L of this.layers) {
      // All time steps' input projections at once; the bias is added with the recurrent part.
      clock?.enter('input products');
      if (x) {
        k.gemm(false, false, N, G, L.input, x, L.input, L.W, G, L.gates, G, false);
      } else {
        k.gemm(false, false, V, G, E, emb, E, L.W, G, this.ew!, G, false);
        clock?.enter('embedding');
        ops.gather(N, this.ids, this.ew!, G, L.gates);
      }
      clock?.enter('recurrent fwd');
      const dropout = L.mask && dropoutRng ? { keep: 1 - this.config.dropout, seed: Math.floor(dropoutRng.next() * 4294967296) } : null;
      ops.recurrentForward(L, dropout);
      x = L.out;
    }
    clock?.enter('output products');
    k.gemm(false, false, N, V, H, x!, H, this.params.get('output/kernel'), V, this.logits, V, false);
    clock?.enter('softmax+CE');
    return ops.softmaxCrossEntropy(N, V, this.logits, this.params.get('output/bias'), this.targets, withGradient ? 1 / N : 0);
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

  /**
   * After {@link evaluate}: the nats of `target` at position `n` (time-major, `t * B + b`) of that batch, as counted
   * in its sum (so a caller can take some positions, e.g. unknown characters, out of the figure).
   */
  evaluatedNats(n: number, target: number): number {
    const V = this.config.vocabSize;
    const row = this.logits.subarray(n * V, (n + 1) * V);
    let sum = 0;
    for (let v = 0; v < V; v++) sum += row[v]!;
    return -Math.log(Math.max(row[target]! / sum, 1e-30));
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
    const N = this.batch * this.seqLength;
    const G = gatesOf(cell) * H;
    const k = this.kernels;
    const ops = this.ops;
    const clock = this.clock;
    const top = this.layers[this.layers.length - 1]!;
    // Dense layer.
    clock?.enter('output products');
    k.gemm(true, false, H, V, N, top.out, H, this.logits, V, this.grads.get('output/kernel'), V, false);
    clock?.enter('bias grads');
    ops.columnSums(N, V, this.logits, this.grads.get('output/bias'));
    clock?.enter('output products');
    let dOut = this.dA;
    let dIn = this.dB;
    k.gemm(false, true, N, H, V, this.logits, V, this.params.get('output/kernel'), V, dOut, H, false);

    for (let l = this.layers.length - 1; l >= 0; l--) {
      const L = this.layers[l]!;
      clock?.enter('recurrent bwd');
      ops.recurrentBackward(L, dOut, this.dz, this.work);
      // Weight gradients for all time steps at once.
      clock?.enter('recurrent weight grads');
      const hPrevAll = L.hs.subarray(0, N * H);
      if (cell === 'gru') {
        k.gemm(true, false, H, 2 * H, N, hPrevAll, H, this.dz, G, L.dU, G, false);
        k.gemm(true, false, H, H, N, L.rh!, H, this.dz.subarray(2 * H), G, L.dU.subarray(2 * H), G, false);
      } else {
        k.gemm(true, false, H, G, N, hPrevAll, H, this.dz, G, L.dU, G, false);
      }
      clock?.enter('bias grads');
      ops.columnSums(N, G, this.dz, L.dbias);
      const x = l === 0 ? this.xe : this.layers[l - 1]!.out;
      if (!x) {
        // Layer 0 by vocabulary entry: dW = embᵀ · dew, d(embeddings) = dew · Wᵀ.
        clock?.enter('embedding');
        const emb = this.params.get('embedding/embeddings');
        ops.scatterAdd(N, this.ids, this.dz, G, this.dew!, V);
        clock?.enter('input products');
        k.gemm(true, false, E, G, V, emb, E, this.dew!, G, L.dW, G, false);
        k.gemm(false, true, V, E, G, this.dew!, G, L.W, G, this.grads.get('embedding/embeddings'), E, false);
        break;
      }
      clock?.enter('input products');
      k.gemm(true, false, L.input, G, N, x, L.input, this.dz, G, L.dW, G, false);
      k.gemm(false, true, N, L.input, G, this.dz, G, L.W, G, dIn, L.input, false);
      [dOut, dIn] = [dIn, dOut];
      if (l === 0) {
        // Embedding: scatter-add the input gradients (now in dOut, [N, E]).
        clock?.enter('embedding');
        ops.scatterAdd(N, this.ids, dOut, E, this.grads.get('embedding/embeddings'), V);
      }
    }
    clock?.enter('other');
  }
}

/** An Int32Array over the same memory as a buffer from `alloc` (for ids and targets the kernels read in place). */
function int32(buf: Float32Array): Int32Array {
  return new Int32Array(buf.buffer, buf.byteOffset, buf.length);
}
