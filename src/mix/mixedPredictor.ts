/**
 * The LSTM mixed with an n-gram model of the workspace and a long-range match model, behind the same
 * one-character-at-a-time interface as the LSTM alone ({@link StepModel}), so generation and the per-document
 * state cache use it unchanged. Without an LSTM (before training) the same class mixes the n-gram and match
 * models alone, over a vocabulary of the workspace's characters.
 *
 * The distribution is over the vocabulary's ids: the n-gram's probability of each character goes to that
 * character's id, and its mass for characters outside the vocabulary (and for unseen characters) to the
 * unknown id, which is never suggested.
 *
 * The match model's prediction (the character that followed the last earlier occurrence of the recent text) is
 * mixed into the n-gram part first, linearly, with a weight learned per match length. Then (default
 * `'logistic'`) geometric mixing of the LSTM and that n-gram part, p(c) ∝ p_lstm(c)^a · p_ngram(c)^b, with one
 * weight pair per small context (the longest n-gram order matched × the match length × the class of the last
 * character), each weight following the gradient of the log loss (Mattern, DCC 2012). The mixture's most likely
 * character then goes through two APM/SSE maps ({@link Apm}; the second keyed by the last character and the
 * match state) that map its probability to the rate at which such a character really came, so
 * that the ghost text's confidence means what it says. Measured with `inkling eval --mixing --sse` on held-out
 * tfjs-layers with the default 10-minute model of a loaded machine (LSTM alone 2.301, n-gram part 0.562
 * bits/char): on all 63,702 characters logistic 0.5569 (0.5568 without the APM), linear 0.5569 (0.5600 without
 * it), the previous product (linear from one half each, no APM) 0.561; on the first 20,000 logistic 0.5302,
 * linear 0.5328 (0.538 without the APM). Giving the match model its own geometric input instead of its linear
 * share in the n-gram part measured worse (0.532–0.535 on those 20,000). The starting weights
 * come from what the models scored on held-out text (`prior`), so an undertrained LSTM starts with little say.
 * `'linear'` is the previous rule (P = w·P_lstm + (1 − w)·P_ngram), kept to measure against.
 *
 * Text the user really writes (`learn`) is added to the n-gram and match models and trains the mixing weights and
 * the APM; the model's own guesses during generation never are.
 */
import type { Predictor, RecurrentState, StepModel } from '../engine/predictor';
import { UNKNOWN_ID, type Vocabulary } from '../engine/vocab';
import type { NGramModel } from '../ngram';
import { Apm, type ApmSlot } from './apm';
import { LENGTH_BUCKETS, type MatchModel, type MatchState } from './matchModel';
import { Mixer } from './mixer';

/**
 * Linear mixing: the weight depends on the longest n-gram context matched and on how sure the n-gram model is
 * (its largest probability, in 4 levels); the step size 0.3 on the weight's logit.
 */
const CONFIDENCE_LEVELS = 4;
const MIXER_RATE = 0.3;
/**
 * Logistic mixing: step size on the weights (per nat of gradient), per weight set: fast while the set is young,
 * settling as it sees more characters, r · 4/√(1 + n/50) floored at r/8 (n: the characters the set has learned
 * from). Measured with the 10-minute models of the README's corpora (adapting mixture on the first 40,000 /
 * 100,000 / 200,000 held-out characters of tinyshakespeare / @types/node / tfjs-layers): a constant 0.02 (before)
 * 1.9330 / 0.7240 / 0.5718 bits/char, constant 0.01 1.9240 / 0.7209 / 0.5695, 0.005 1.9200 / 0.7209 / 0.5699,
 * 0.04 1.9528 / 0.7340 / 0.5794; this rule with r = 0.01 1.9219 / 0.7204 / 0.5665, with r = 0.02 1.9279 / 0.7218 /
 * 0.5671. More weight sets measured worse: the sets also split by the LSTM's confidence (3 levels) 1.9307 / 0.7272
 * / 0.5737; a second set chosen by the LSTM's and the n-gram's confidence, added to the first, 1.9420 / 0.7313 / 0.5766.
 */
const LOGISTIC_RATE = 0.01;
const LOGISTIC_SETTLE = 50;
const MATCH_LEVELS = 4;
/**
 * The weight sets are also split by the class of the last character (newline, space or tab, lower-case letter,
 * upper-case letter or `_`/`$`/non-ASCII, digit, other), and a second APM, keyed by the last character and the
 * match model's state, refines the top character beside the first. Measured with `node out/src/bench/mixtureRun.js`
 * on the first 40,000 held-out characters of the 10-minute default models (adapting mixture, tinyshakespeare /
 * tfjs-layers): before 1.8810 / 0.3221; the class split 1.8741 / 0.3231; the second APM 1.8787 / 0.3199; both
 * (kept) 1.8723 / 0.3216; on all held-out characters 1.8609 -> 1.8501 / 0.4873 -> 0.4867. Tried and not kept:
 * splitting by whether the LSTM and the n-gram part agree on the top character 1.8838 (worse); a third input, the log of the two models' average, 1.8830;
 * output-layer rate 0.005 instead of 0.01: 1.8793 alone, 1.8720 with both, but worse on tfjs-layers (0.3243 with
 * both; LSTM alone 0.8110 vs 0.8062); 0.003 and 0.02 worse.
 */
const CLASSES = 6;
function charClass(tail: string): number {
  if (tail.length === 0) return 0;
  const c = tail.charCodeAt(tail.length - 1);
  if (c === 10) return 0;
  if (c === 32 || c === 9) return 1;
  if (c >= 97 && c <= 122) return 2;
  if ((c >= 65 && c <= 90) || c === 95 || c === 36 || c > 127) return 3;
  if (c >= 48 && c <= 57) return 4;
  return 5;
}
/** The second APM's contexts: 128 last characters (ASCII; others folded) × 8 match states. */
const APM2_CONTEXTS = 128 * 8;
/** Probabilities are floored here before their logarithm (one confident miss cannot dominate the mixture). */
const FLOOR = 1e-6;

function confidenceLevel(maxProb: number): number {
  return maxProb < 0.3 ? 0 : maxProb < 0.6 ? 1 : maxProb < 0.9 ? 2 : 3;
}

function matchLevel(bucket: number): number {
  // lengthBucket: 0 none, 1..2 under 12, 3..4 under 24, 5+ longer.
  return bucket === 0 ? 0 : bucket <= 2 ? 1 : bucket <= 4 ? 2 : 3;
}

export type Mixing = 'logistic' | 'linear';

export interface MixOptions {
  /** @default 'logistic' */
  mixing?: Mixing;
  /**
   * Held-out bits per character of the LSTM and of the n-gram part, from which the starting weights are set
   * (the LSTM's share is 2^−bits(LSTM) ÷ (2^−bits(LSTM) + 2^−bits(n-gram))). Without it the LSTM starts at 0.3.
   */
  prior?: { lstmBits: number | null; ngramBits: number | null };
  /** The APM/SSE stage on the most likely character. @default true */
  sse?: boolean;
}

/** The LSTM's starting share in the mixture from held-out bits per character (see {@link MixOptions.prior}). */
export function priorLstmShare(prior: MixOptions['prior']): number {
  if (!prior || prior.lstmBits === null || prior.ngramBits === null || !(prior.lstmBits > 0) || !(prior.ngramBits > 0)) return 0.3;
  const l = 2 ** -prior.lstmBits;
  const n = 2 ** -prior.ngramBits;
  return Math.min(0.9, Math.max(0.02, l / (l + n)));
}

export interface MixState extends RecurrentState {
  /** The last characters fed (the n-gram's context). */
  tail: string;
  /** The LSTM's and the n-gram part's (with the match model's share) distributions over the ids for the next character, and the final mixture. */
  readonly lastL: Float32Array;
  readonly lastN: Float32Array;
  readonly lastOut: Float32Array;
  /** Logistic mixing: the mixture before the APM stage (what the weights' gradient is taken on). */
  readonly lastMix: Float32Array;
  /** The mixing bucket (linear) or weight set (logistic). */
  bucket: number;
  /** Where the text matches earlier text (see {@link MatchModel}). */
  readonly match: MatchState;
  /** The match model's predicted id for the next character (-1: none), its bucket and weight then. */
  matchId: number;
  matchBucket: number;
  matchWeight: number;
  /** The APM stage: the id it refined (-1: none) and where its two maps read. */
  topId: number;
  readonly apm: ApmSlot;
  readonly apm2: ApmSlot;
}

export interface Contributions {
  /** Probability of the character under the mixture, the LSTM and the n-gram part (with matches). */
  mixed: number;
  lstm: number;
  ngram: number;
}

export class MixedPredictor implements StepModel<MixState> {
  /** Linear mixing's weights (the LSTM's share per bucket). */
  readonly mixer: Mixer;
  /** The match model's weight against the n-gram model, per match-length bucket (starts cautious). */
  readonly matchMixer = new Mixer({ buckets: LENGTH_BUCKETS, rate: MIXER_RATE, initial: -2 });
  readonly mixing: Mixing;
  private readonly sse: boolean;
  /** Logistic mixing: weights [set][input] over (LSTM, n-gram part), and the characters each set learned from. */
  private readonly weights: Float64Array;
  private readonly learnedBySet: Float64Array;
  private readonly sets: number;
  readonly apm: Apm;
  readonly apm2: Apm;
  private readonly out: Float32Array;
  private readonly logN: Float64Array;
  private idMap = new Int32Array(0); // n-gram symbol id → vocabulary id
  private unseenIds: number[] = [];  // ids (not the unknown id) of characters the n-gram has never seen
  private mappedSize = -1;           // n-gram vocabulary size the two above were made for
  private readonly tailChars: number;
  private readonly uniform: Float32Array;

  constructor(
    /** The trained LSTM, or null for the n-gram and match models alone. */
    readonly lstm: Predictor | null,
    private readonly vocab: Vocabulary,
    readonly ngram: NGramModel,
    mixer?: Mixer,
    /** Long-range matches against the workspace and what the user writes; none when omitted. */
    readonly match: MatchModel | null = null,
    options: MixOptions = {},
  ) {
    this.mixing = options.mixing ?? 'logistic';
    this.sse = options.sse ?? true;
    const share = lstm ? priorLstmShare(options.prior) : 0;
    this.mixer = mixer ?? new Mixer({
      buckets: (ngram.order + 1) * CONFIDENCE_LEVELS, rate: MIXER_RATE, initial: Math.log(Math.max(share, 1e-3) / (1 - Math.max(share, 1e-3))),
    });
    this.sets = (ngram.order + 1) * MATCH_LEVELS * CLASSES;
    this.weights = new Float64Array(this.sets * 2);
    this.learnedBySet = new Float64Array(this.sets);
    for (let s = 0; s < this.sets; s++) {
      this.weights[s * 2] = share;
      this.weights[s * 2 + 1] = 1 - share;
    }
    this.apm = new Apm(this.sets);
    this.apm2 = new Apm(APM2_CONTEXTS);
    const V = vocab.size;
    this.out = new Float32Array(V);
    this.logN = new Float64Array(V);
    this.uniform = new Float32Array(V).fill(1 / V);
    this.tailChars = 2 * ngram.order; // UTF-16 units: enough for `order` code points
  }

  newState(): MixState {
    const V = this.vocab.size;
    return {
      data: this.lstm ? this.lstm.newState().data : new Float32Array(0), fed: 0, tail: '',
      lastL: new Float32Array(V), lastN: new Float32Array(V), lastOut: new Float32Array(V), lastMix: new Float32Array(V),
      bucket: 0, match: { ptr: -1, len: 0 }, matchId: -1, matchBucket: 0, matchWeight: 0, topId: -1, apm: { index: 0, frac: 0 }, apm2: { index: 0, frac: 0 },
    };
  }

  cloneState(s: MixState): MixState {
    return {
      data: s.data.slice(), fed: s.fed, tail: s.tail, lastL: s.lastL.slice(), lastN: s.lastN.slice(),
      lastOut: s.lastOut.slice(), lastMix: s.lastMix.slice(), bucket: s.bucket,
      match: { ptr: s.match.ptr, len: s.match.len }, matchId: s.matchId, matchBucket: s.matchBucket, matchWeight: s.matchWeight,
      topId: s.topId, apm: { index: s.apm.index, frac: s.apm.frac }, apm2: { index: s.apm2.index, frac: s.apm2.frac },
    };
  }

  step(state: MixState, id: number, wantProbs = true): Float32Array {
    return this.advance(state, id, null, false, wantProbs);
  }

  feed(state: MixState, ids: ArrayLike<number>, learn = false): Float32Array | null {
    let p: Float32Array | null = null;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      // Learning needs the distributions before every character, so nothing can be skipped then.
      p = this.advance(state, id, null, learn, learn || i === ids.length - 1);
    }
    return p;
  }

  /**
   * The probabilities the next character `ch` had under each model, before it is fed. Characters outside the
   * vocabulary get the unknown id's mass shared as the n-gram model shares its own among them, so the mixture
   * is a distribution over all characters (for honest bits per character).
   */
  contributions(state: MixState, ch: string): Contributions {
    const id = this.vocab.idOf(ch);
    if (id !== UNKNOWN_ID) return { mixed: state.lastOut[id]!, lstm: state.lastL[id]!, ngram: state.lastN[id]! };
    const outside = state.lastN[UNKNOWN_ID]!;
    const share = outside > 0 ? Math.min(1, this.ngram.prob(state.tail, ch) / outside) : 0;
    return { mixed: state.lastOut[UNKNOWN_ID]! * share, lstm: state.lastL[UNKNOWN_ID]! * share, ngram: state.lastN[UNKNOWN_ID]! * share };
  }

  /** The id of a character (the unknown id if it has none). */
  idOf(ch: string): number {
    return this.vocab.idOf(ch);
  }

  /** Feeds a character of real text (learning from it) given as a string, so characters outside the vocabulary still teach the n-gram. */
  observe(state: MixState, ch: string): void {
    this.advance(state, this.vocab.idOf(ch), ch, true, true);
  }

  /** Adds a text the user has (an open document) to the n-gram and match models, as one more file of the workspace. */
  learnText(text: string): void {
    if (!text) return;
    this.ngram.add(text);
    this.match?.addText(text);
  }

  /** The logistic weights of every set, [LSTM, n-gram part] each (for display and tests). */
  weightSets(): number[][] {
    const out: number[][] = [];
    for (let s = 0; s < this.sets; s++) out.push([...this.weights.subarray(s * 2, s * 2 + 2)]);
    return out;
  }

  /** `text`: the character itself when known (null: the vocabulary's character for `id`). */
  private advance(state: MixState, id: number, text: string | null, learn: boolean, wantProbs: boolean): Float32Array {
    const ch = text ?? this.vocab.charOf(id);
    if (learn && state.fed > 0) this.learnFrom(state, id, text);
    // Dynamic evaluation of the LSTM (before its state moves past the character).
    if (learn && id !== UNKNOWN_ID) this.lstm?.learn(state, id);
    // A character known only as "unknown" would teach the n-gram model a placeholder: skip it.
    if (learn && (text !== null || id !== UNKNOWN_ID)) this.ngram.add(ch, { history: state.tail });
    this.match?.advance(state.match, ch.codePointAt(0) ?? 0, state.tail, learn);
    // The LSTM advances state.data and state.fed; without one, only the count moves.
    const pL = this.lstm ? this.lstm.step(state, id, wantProbs) : (state.fed++, this.uniform);
    const tail = state.tail + ch;
    state.tail = tail.length > this.tailChars ? tail.slice(tail.length - this.tailChars) : tail;
    if (!wantProbs) return this.out;
    state.lastL.set(pL);
    if (this.mixing === 'linear') this.mixLinear(state);
    else this.mixLogistic(state);
    this.out.set(state.lastOut);
    return this.out;
  }

  private learnFrom(state: MixState, id: number, text: string | null): void {
    if (state.matchId >= 0 && id !== UNKNOWN_ID) {
      // The n-gram's own probability, before the match model's share was mixed in.
      const hit = id === state.matchId ? 1 : 0;
      const w = state.matchWeight;
      const plain = (state.lastN[id]! - w * hit) / (1 - w);
      this.matchMixer.update(state.matchBucket, hit, Math.max(0, plain));
    }
    if (this.mixing === 'linear') {
      const { lstm, ngram } = text !== null ? this.contributions(state, text) : { lstm: state.lastL[id]!, ngram: state.lastN[id]! };
      if (this.lstm) this.mixer.update(state.bucket, lstm, ngram);
    } else if (this.lstm) {
      // Gradient of log p(id) in each weight: log pᵢ(id) − Σ_c p(c) log pᵢ(c).
      const V = this.vocab.size;
      const mix = state.lastMix;
      const base = state.bucket * 2;
      const lg = (x: number): number => Math.log(x < FLOOR ? FLOOR : x);
      let eL = 0;
      let eN = 0;
      for (let v = 0; v < V; v++) {
        const p = mix[v]!;
        if (p === 0) continue;
        eL += p * lg(state.lastL[v]!);
        eN += p * lg(state.lastN[v]!);
      }
      const clip = (g: number): number => (g > 8 ? 8 : g < -8 ? -8 : g);
      const w = this.weights;
      const n = ++this.learnedBySet[state.bucket]!;
      const rate = Math.max(LOGISTIC_RATE / 8, (4 * LOGISTIC_RATE) / Math.sqrt(1 + n / LOGISTIC_SETTLE));
      w[base] = clampW(w[base]! + rate * clip(lg(state.lastL[id]!) - eL));
      w[base + 1] = clampW(w[base + 1]! + rate * clip(lg(state.lastN[id]!) - eN));
    }
    if (this.sse && state.topId >= 0) {
      const hit = id === state.topId ? 1 : 0;
      this.apm.update(state.apm, hit);
      this.apm2.update(state.apm2, hit);
    }
  }

  private mixLinear(state: MixState): void {
    const matched = this.ngramOverIds(state, true);
    let max = 0;
    for (let v = 0; v < state.lastN.length; v++) if (state.lastN[v]! > max) max = state.lastN[v]!;
    state.bucket = matched.depth * CONFIDENCE_LEVELS + confidenceLevel(max);
    const w = this.lstm ? this.mixer.weight(state.bucket) : 0;
    const out = state.lastOut;
    for (let v = 0; v < out.length; v++) out[v] = w * state.lastL[v]! + (1 - w) * state.lastN[v]!;
    state.lastMix.set(out);
    this.refineTop(state, state.bucket % this.sets);
  }

  private mixLogistic(state: MixState): void {
    const { depth } = this.ngramOverIds(state, true);
    const set = (depth * MATCH_LEVELS + (state.matchId >= 0 ? matchLevel(state.matchBucket) : 0)) * CLASSES + charClass(state.tail);
    state.bucket = set;
    const out = state.lastOut;
    const mix = state.lastMix;
    if (!this.lstm) {
      mix.set(state.lastN);
    } else {
      const V = this.vocab.size;
      const wL = this.weights[set * 2]!;
      const wN = this.weights[set * 2 + 1]!;
      const z = this.logN;
      let maxZ = -Infinity;
      for (let v = 0; v < V; v++) {
        const n = state.lastN[v]!;
        const l = state.lastL[v]!;
        const zv = wL * Math.log(l < FLOOR ? FLOOR : l) + wN * Math.log(n < FLOOR ? FLOOR : n);
        z[v] = zv;
        if (zv > maxZ) maxZ = zv;
      }
      let sum = 0;
      for (let v = 0; v < V; v++) {
        const e = Math.exp(z[v]! - maxZ);
        mix[v] = e;
        sum += e;
      }
      for (let v = 0; v < V; v++) mix[v] = mix[v]! / sum;
    }
    out.set(mix);
    this.refineTop(state, set);
  }

  /** The APM stage: the most likely (known) character's probability becomes its refined value, the rest scaled. */
  private refineTop(state: MixState, ctx: number): void {
    state.topId = -1;
    if (!this.sse) return;
    const out = state.lastOut;
    let top = UNKNOWN_ID === 0 && out.length > 1 ? 1 : 0;
    for (let v = 1; v < out.length; v++) if (out[v]! > out[top]!) top = v;
    const p = out[top]!;
    if (!(p > 0 && p < 1)) return;
    const r = this.apm.refine(p, ctx, state.apm);
    // The second map: the last character × the match model's state (none, or its length level and whether it
    // predicts this character).
    const last = state.tail.length > 0 ? state.tail.charCodeAt(state.tail.length - 1) & 127 : 0;
    const matchState = state.matchId >= 0 ? Math.min(7, matchLevel(state.matchBucket) * 2 + (state.matchId === top ? 1 : 0)) : 0;
    const r2 = this.apm2.refine(p, last * 8 + matchState, state.apm2);
    // Half the raw estimate, a quarter each map: a map alone is noisy while it is young (as PAQ averages them).
    const refined = Math.min(1 - 1e-4, Math.max(1e-4, 0.5 * p + 0.25 * r + 0.25 * r2));
    const scale = (1 - refined) / (1 - p);
    for (let v = 0; v < out.length; v++) out[v] = out[v]! * scale;
    out[top] = refined;
    state.topId = top;
  }

  /**
   * Fills `state.lastN` with the n-gram model's next-character distribution over ids, with the match model's
   * prediction mixed in (`mixMatch`) at a weight learned per match length. Returns the longest n-gram order matched.
   */
  private ngramOverIds(state: MixState, mixMatch: boolean): { depth: number } {
    const into = state.lastN;
    const { probs, escape, unseen, depth } = this.ngram.distributionAfter(state.tail);
    if (this.mappedSize !== probs.length) this.extendMap(probs.length);
    into.fill(0);
    // Each character the n-gram model has never seen gets its share of the escape mass; the rest of that mass
    // (characters neither model knows) goes to the unknown id.
    for (const id of this.unseenIds) into[id] = unseen;
    into[UNKNOWN_ID] = Math.max(0, escape - unseen * this.unseenIds.length);
    const map = this.idMap;
    for (let s = 0; s < probs.length; s++) into[map[s]!]! += probs[s]!;
    state.matchId = -1;
    const predicted = this.match?.predict(state.match);
    if (predicted) {
      const id = this.vocab.idOf(String.fromCodePoint(predicted.codePoint));
      if (id !== UNKNOWN_ID) {
        state.matchId = id;
        state.matchBucket = predicted.bucket;
        if (mixMatch) {
          const w = this.matchMixer.weight(predicted.bucket);
          for (let v = 0; v < into.length; v++) into[v] = into[v]! * (1 - w);
          into[id] = into[id]! + w;
          state.matchWeight = w;
        }
      }
    }
    return { depth };
  }

  private extendMap(size: number): void {
    const map = new Int32Array(size);
    map.set(this.idMap);
    for (let s = this.idMap.length; s < size; s++) map[s] = this.vocab.idOf(this.ngram.charOf(s));
    this.idMap = map;
    this.mappedSize = size;
    const seen = new Set(map);
    this.unseenIds = [];
    for (let id = 0; id < this.vocab.size; id++) if (id !== UNKNOWN_ID && !seen.has(id)) this.unseenIds.push(id);
  }
}

function clampW(w: number): number {
  return w > 4 ? 4 : w < -1 ? -1 : w;
}
