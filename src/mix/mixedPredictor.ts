/**
 * The LSTM mixed with an n-gram model of the workspace, behind the same one-character-at-a-time interface as
 * the LSTM alone ({@link StepModel}), so generation and the per-document state cache use it unchanged.
 *
 * The distribution is over the LSTM's vocabulary: the n-gram's probability of each character goes to that
 * character's id, and its mass for characters outside the LSTM's vocabulary (and for unseen characters) to the
 * unknown id, which is never suggested. When a {@link MatchModel} is given, its prediction (the character that
 * followed the last earlier occurrence of the recent text) is mixed into the n-gram part first, with a weight
 * learned per match length. Text the user really writes (`learn`) is added to the n-gram and match models and
 * trains the mixing weights; the model's own guesses during generation never are.
 */
import type { Predictor, RecurrentState, StepModel } from '../engine/predictor';
import { UNKNOWN_ID, type Vocabulary } from '../engine/vocab';
import type { NGramModel } from '../ngram';
import { LENGTH_BUCKETS, type MatchModel, type MatchState } from './matchModel';
import { Mixer } from './mixer';

/**
 * The mixing weight depends on the longest n-gram context matched and on how sure the n-gram model is (its
 * largest probability, in 4 levels); the step size 0.3 on the weight's logit. Chosen with `src/bench/mixing.ts` on
 * held-out tinyshakespeare against one weight, weights by order alone, by the LSTM's confidence, by both
 * models' confidence, and geometric (log-linear) mixing: this rule was best or within 0.002 bits/char of it.
 */
const CONFIDENCE_LEVELS = 4;
const MIXER_RATE = 0.3;

function confidenceLevel(maxProb: number): number {
  return maxProb < 0.3 ? 0 : maxProb < 0.6 ? 1 : maxProb < 0.9 ? 2 : 3;
}

export interface MixState extends RecurrentState {
  /** The last characters fed (the n-gram's context). */
  tail: string;
  /** The LSTM's and the n-gram's distributions over the LSTM ids for the next character, and the mixing bucket (see `CONFIDENCE_LEVELS`). */
  readonly lastL: Float32Array;
  readonly lastN: Float32Array;
  bucket: number;
  /** Where the text matches earlier text (see {@link MatchModel}). */
  readonly match: MatchState;
  /** The match model's predicted LSTM id for the next character (-1: none), its bucket and weight then. */
  matchId: number;
  matchBucket: number;
  matchWeight: number;
}

export interface Contributions {
  /** Probability of the character under the mixture, the LSTM and the n-gram model. */
  mixed: number;
  lstm: number;
  ngram: number;
}

export class MixedPredictor implements StepModel<MixState> {
  readonly mixer: Mixer;
  /** The match model's weight against the n-gram model, per match-length bucket (starts cautious). */
  readonly matchMixer = new Mixer({ buckets: LENGTH_BUCKETS, rate: MIXER_RATE, initial: -2 });
  private readonly out: Float32Array;
  private idMap = new Int32Array(0); // n-gram symbol id → LSTM id
  private unseenIds: number[] = [];  // LSTM ids (not the unknown id) of characters the n-gram has never seen
  private mappedSize = -1;           // n-gram vocabulary size the two above were made for
  private readonly tailChars: number;

  constructor(
    readonly lstm: Predictor,
    private readonly vocab: Vocabulary,
    readonly ngram: NGramModel,
    mixer?: Mixer,
    /** Long-range matches against the workspace and what the user writes; none when omitted. */
    readonly match: MatchModel | null = null,
  ) {
    this.mixer = mixer ?? new Mixer({ buckets: (ngram.order + 1) * CONFIDENCE_LEVELS, rate: MIXER_RATE });
    this.out = new Float32Array(vocab.size);
    this.tailChars = 2 * ngram.order; // UTF-16 units: enough for `order` code points
  }

  newState(): MixState {
    const base = this.lstm.newState();
    const V = this.vocab.size;
    return {
      data: base.data, fed: 0, tail: '', lastL: new Float32Array(V), lastN: new Float32Array(V), bucket: 0, match: { ptr: -1, len: 0 },
      matchId: -1, matchBucket: 0, matchWeight: 0,
    };
  }

  cloneState(s: MixState): MixState {
    return {
      data: s.data.slice(), fed: s.fed, tail: s.tail, lastL: s.lastL.slice(), lastN: s.lastN.slice(), bucket: s.bucket,
      match: { ptr: s.match.ptr, len: s.match.len }, matchId: s.matchId, matchBucket: s.matchBucket, matchWeight: s.matchWeight,
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
   * LSTM's vocabulary get the LSTM's unknown mass shared as the n-gram model shares its own among them, so the
   * mixture is a distribution over all characters (for honest bits per character).
   */
  contributions(state: MixState, ch: string): Contributions {
    const id = this.vocab.idOf(ch);
    let lstm: number;
    let ngram: number;
    if (id !== UNKNOWN_ID) {
      lstm = state.lastL[id]!;
      ngram = state.lastN[id]!;
    } else {
      ngram = this.ngram.prob(state.tail, ch);
      const outside = state.lastN[UNKNOWN_ID]!;
      lstm = outside > 0 ? state.lastL[UNKNOWN_ID]! * Math.min(1, ngram / outside) : 0;
    }
    return { mixed: this.mixer.mix(state.bucket, lstm, ngram), lstm, ngram };
  }

  /** The LSTM id of a character (the unknown id if it has none). */
  idOf(ch: string): number {
    return this.vocab.idOf(ch);
  }

  /** Feeds a character of real text (learning from it) given as a string, so characters the LSTM lacks still teach the n-gram. */
  observe(state: MixState, ch: string): void {
    this.advance(state, this.vocab.idOf(ch), ch, true, true);
  }

  /** `text`: the character itself when known (null: the vocabulary's character for `id`). */
  private advance(state: MixState, id: number, text: string | null, learn: boolean, wantProbs: boolean): Float32Array {
    const ch = text ?? this.vocab.charOf(id);
    if (learn && state.fed > 0) {
      const { lstm, ngram } = text !== null ? this.contributions(state, text) : { lstm: state.lastL[id]!, ngram: state.lastN[id]! };
      this.mixer.update(state.bucket, lstm, ngram);
      if (state.matchId >= 0 && id !== UNKNOWN_ID) {
        // The n-gram's own probability, before the match model's share was mixed in.
        const hit = id === state.matchId ? 1 : 0;
        const w = state.matchWeight;
        const plain = (state.lastN[id]! - w * hit) / (1 - w);
        this.matchMixer.update(state.matchBucket, hit, Math.max(0, plain));
      }
    }
    // A character known only as "unknown" would teach the n-gram model a placeholder: skip it.
    if (learn && (text !== null || id !== UNKNOWN_ID)) this.ngram.add(ch, { history: state.tail });
    this.match?.advance(state.match, ch.codePointAt(0) ?? 0, state.tail, learn);
    const pL = this.lstm.step(state, id, wantProbs); // advances state.data and state.fed
    const tail = state.tail + ch;
    state.tail = tail.length > this.tailChars ? tail.slice(tail.length - this.tailChars) : tail;
    if (!wantProbs) return this.out;
    state.lastL.set(pL);
    state.bucket = this.ngramOverLstmIds(state);
    const w = this.mixer.weight(state.bucket);
    const out = this.out;
    for (let v = 0; v < out.length; v++) out[v] = w * state.lastL[v]! + (1 - w) * state.lastN[v]!;
    return out;
  }

  /**
   * Fills `state.lastN` with the n-gram model's next-character distribution over LSTM ids, mixed with the match
   * model's prediction (weight learned per match length); returns the LSTM mixing bucket.
   */
  private ngramOverLstmIds(state: MixState): number {
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
        const w = this.matchMixer.weight(predicted.bucket);
        for (let v = 0; v < into.length; v++) into[v] = into[v]! * (1 - w);
        into[id] = into[id]! + w;
        state.matchId = id;
        state.matchBucket = predicted.bucket;
        state.matchWeight = w;
      }
    }
    let max = 0;
    for (let v = 0; v < into.length; v++) if (into[v]! > max) max = into[v]!;
    return depth * CONFIDENCE_LEVELS + confidenceLevel(max);
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
