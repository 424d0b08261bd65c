import { pruneTrie } from './prune';
import { ContextTrie } from './trie';
import { codePointsOf, firstCodePoint, lastCodePoints, Vocab } from './vocab';
import {
  knDiscounts, knDistribution, knProb, ppmDistribution, ppmProb, type Smoothing,
} from './smoothing';
import { decodeModel, encodeModel, type NGramJSON } from './serialize';

/** Construction options of {@link NGramModel}. */
export interface NGramOptions {
  /** Maximum context length in characters (code points), 1..32. Default {@link DEFAULT_ORDER}. */
  order?: number;
  /**
   * Memory bound: at most this many contexts and twice as many (context, next character) pairs are stored:
   * at most 44 bytes × maxContexts in the count arrays (66 with growth slack, briefly twice that while
   * pruning). When a bound is reached the rarest long contexts are pruned (see `pruneTrie`) and learning goes
   * on. Default {@link DEFAULT_MAX_CONTEXTS}.
   */
  maxContexts?: number;
  /** Smoothing method. Default `'kn'` (interpolated modified Kneser-Ney); see {@link Smoothing}. */
  smoothing?: Smoothing;
  /**
   * Size of the alphabet the model reserves probability for (at least 2): characters never seen share the
   * mass left by the seen ones as if the alphabet had this many symbols. Grows to vocabulary size + 1 if more
   * distinct characters are seen. Default 256.
   */
  alphabetSize?: number;
}

/** Next-character distribution: `probs[i]` is P(`chars[i]`); `escape` is the total for all unseen characters. */
export interface Prediction {
  chars: string[];
  probs: Float64Array;
  escape: number;
}

/** Options of {@link NGramModel.add}. */
export interface AddOptions {
  /** Text that precedes `text` (already counted or not): it provides context but is not counted. */
  history?: string;
}

/** Options of {@link NGramModel.bitsPerChar}. */
export interface BitsOptions {
  /** Update counts after each character, like a compressor (on a copy: the model itself is not changed). */
  adaptive?: boolean;
  /** Text preceding `text`, used as context for its first characters (not scored, not counted). */
  history?: string;
}

/**
 * Order used when none is given, chosen by measurement (src/bench/baselines.ts): on held-out English prose orders
 * 6..10 are within 0.01 bit/char of each other, while on source code longer contexts keep helping
 * (static 2.33 / 2.28 / 2.26 bits/char at orders 6 / 8 / 10), at a memory cost growing with the order.
 */
export const DEFAULT_ORDER = 8;
/** Context bound used when none is given: 2^20, i.e. at most 46 MB of count arrays (69 MB with slack). */
export const DEFAULT_MAX_CONTEXTS = 1 << 20;
const MAX_ORDER = 32;

/**
 * Character n-gram language model over Unicode code points. Pure TypeScript, deterministic, no I/O.
 * "Character" below means one code point; `bitsPerChar` counts code points.
 */
export class NGramModel {
  readonly order: number;
  readonly maxContexts: number;
  readonly smoothing: Smoothing;
  readonly alphabetSize: number;
  private vocab = new Vocab();
  private trie: ContextTrie;
  private readonly disc: Float64Array;
  private discDirty = true;
  private pruneFutile = false;
  private readonly path: Int32Array;
  private excluded = new Uint8Array(256);
  private scratch = new Float64Array(256);

  constructor(options: NGramOptions = {}) {
    const order = options.order ?? DEFAULT_ORDER;
    const maxContexts = options.maxContexts ?? DEFAULT_MAX_CONTEXTS;
    const smoothing = options.smoothing ?? 'kn';
    const alphabetSize = options.alphabetSize ?? 256;
    if (!Number.isInteger(order) || order < 1 || order > MAX_ORDER) {
      throw new RangeError(`NGramModel: order must be an integer in 1..${MAX_ORDER}, got ${order}`);
    }
    if (!Number.isInteger(maxContexts) || maxContexts < 1 || maxContexts > 0x7fffffff / 2) {
      throw new RangeError(`NGramModel: maxContexts must be a positive integer below 2^30, got ${maxContexts}`);
    }
    if (smoothing !== 'kn' && smoothing !== 'ppmd' && smoothing !== 'ppmc') {
      throw new RangeError(`NGramModel: unknown smoothing ${String(smoothing)}`);
    }
    if (!Number.isInteger(alphabetSize) || alphabetSize < 2 || alphabetSize > 0x110000) {
      throw new RangeError(`NGramModel: alphabetSize must be an integer in 2..1114112, got ${alphabetSize}`);
    }
    this.order = order;
    this.maxContexts = maxContexts;
    this.smoothing = smoothing;
    this.alphabetSize = alphabetSize;
    this.trie = new ContextTrie(order, maxContexts);
    this.disc = new Float64Array((order + 1) * 3);
    this.path = new Int32Array(order + 1);
  }

  /** Number of distinct characters seen. */
  get vocabularySize(): number {
    return this.vocab.size;
  }

  /** Storage figures: stored contexts, (context, next char) pairs, and bytes held by the count arrays. */
  get stats(): { contexts: number; entries: number; bytes: number } {
    return { contexts: this.trie.nodeCount, entries: this.trie.entryCount, bytes: this.trie.bytes() };
  }

  /**
   * Counts every character of `text` in its context. Each call is a separate document: contexts do not reach
   * into earlier calls unless `opts.history` supplies the preceding text. Cost: O(order) per character.
   */
  add(text: string, opts: AddOptions = {}): void {
    const hist = opts.history ? lastCodePoints(opts.history, this.order) : [];
    const cps = codePointsOf(text);
    const syms = new Int32Array(hist.length + cps.length);
    for (let i = 0; i < hist.length; i++) syms[i] = this.vocab.idOf(hist[i]!);
    for (let i = 0; i < cps.length; i++) syms[hist.length + i] = this.vocab.intern(cps[i]!);
    for (let i = hist.length; i < syms.length; i++) this.update(syms, i);
    if (cps.length > 0) this.discDirty = true;
  }

  /** Distribution of the next character after `context` (only its last `order` characters matter). */
  predict(context: string): Prediction {
    const depth = this.walkString(context);
    const vocab = this.vocab.size;
    const probs = new Float64Array(vocab);
    const escape = this.distribution(depth, probs);
    return { chars: this.vocab.chars(), probs, escape };
  }

  /**
   * Like {@link predict} without allocating: the distribution over symbol ids `0..vocabularySize-1` (use
   * {@link charOf}) in a scratch buffer that the next call overwrites, the escape mass, the probability of each
   * single character never seen (`unseen`, as {@link prob} gives it), and the longest context order matched
   * (0 = none: the unigram level).
   */
  distributionAfter(context: string): { probs: Float64Array; escape: number; unseen: number; depth: number } {
    const depth = this.walkString(context);
    const probs = this.ensureScratch(this.vocab.size).subarray(0, this.vocab.size);
    const escape = this.distribution(depth, probs);
    return { probs, escape, unseen: escape / (this.alphabet() - this.vocab.size), depth };
  }

  /** The character of symbol id `id` (see {@link distributionAfter}). */
  charOf(id: number): string {
    return this.vocab.char(id);
  }

  /**
   * P(next | context), always > 0. `next` is one character (its first code point is used; empty throws a
   * RangeError); characters never seen get an equal share of the escape mass over an alphabet of
   * `alphabetSize` symbols.
   */
  prob(context: string, next: string): number {
    if (next.length === 0) throw new RangeError('NGramModel.prob: next must be one character, got ""');
    const depth = this.walkString(context);
    return this.probAt(depth, this.vocab.idOf(firstCodePoint(next)));
  }

  /**
   * Mean bits per character (−log2 P averaged over the code points of `text`). By default static: counts are
   * not updated. With `adaptive`, each character is counted after it is scored, on a copy of the model.
   * Returns 0 for empty text.
   */
  bitsPerChar(text: string, opts: BitsOptions = {}): number {
    if (opts.adaptive) {
      const copy = this.clone();
      return copy.scoreAdaptive(text, opts.history ?? '');
    }
    const hist = opts.history ? lastCodePoints(opts.history, this.order) : [];
    const cps = codePointsOf(text);
    if (cps.length === 0) return 0;
    const syms = new Int32Array(hist.length + cps.length);
    for (let i = 0; i < hist.length; i++) syms[i] = this.vocab.idOf(hist[i]!);
    for (let i = 0; i < cps.length; i++) syms[hist.length + i] = this.vocab.idOf(cps[i]!);
    this.refreshDiscounts();
    let bits = 0;
    for (let i = hist.length; i < syms.length; i++) {
      bits -= Math.log2(this.probAt(this.walk(syms, i), syms[i]!));
    }
    return bits / cps.length;
  }

  /**
   * Greedy continuation of `context`: appends the most likely character (ties: lowest id) until `maxChars`
   * characters, or until `stop(ch, soFar)` returns true for the next candidate `ch` (then `ch` is not added).
   */
  complete(context: string, maxChars: number, stop?: (ch: string, soFar: string) => boolean): string {
    const syms: number[] = lastCodePoints(context, this.order).map((cp) => this.vocab.idOf(cp));
    const vocab = this.vocab.size;
    if (vocab === 0) return '';
    const probs = this.ensureScratch(vocab);
    let out = '';
    const buf = new Int32Array(this.order + 1);
    for (let n = 0; n < maxChars; n++) {
      const start = Math.max(0, syms.length - this.order);
      const len = syms.length - start;
      for (let i = 0; i < len; i++) buf[i] = syms[start + i]!;
      const depth = this.walk(buf, len);
      this.distribution(depth, probs);
      let best = 0;
      for (let v = 1; v < vocab; v++) if (probs[v]! > probs[best]!) best = v;
      const ch = this.vocab.char(best);
      if (stop && stop(ch, out)) break;
      out += ch;
      syms.push(best);
      if (syms.length > 4 * this.order) syms.splice(0, syms.length - this.order);
    }
    return out;
  }

  /** A deep copy (same counts, same future behaviour). */
  clone(): NGramModel {
    const copy = new NGramModel({
      order: this.order, maxContexts: this.maxContexts, smoothing: this.smoothing, alphabetSize: this.alphabetSize,
    });
    for (const cp of this.vocab.codePoints()) copy.vocab.intern(cp);
    copy.trie = this.trie.clone();
    return copy;
  }

  /** Compact, versioned, checksummed serialisation (plain JSON data). */
  toJSON(): NGramJSON {
    return encodeModel(
      { order: this.order, maxContexts: this.maxContexts, smoothing: this.smoothing, alphabetSize: this.alphabetSize },
      this.vocab.codePoints(), this.trie,
    );
  }

  /** Rebuilds a model from {@link toJSON} output; throws an Error naming the problem if it is invalid. */
  static fromJSON(json: unknown): NGramModel {
    const decoded = decodeModel(json);
    const model = new NGramModel(decoded.options);
    for (const cp of decoded.vocab) model.vocab.intern(cp);
    decoded.restore(model.trie, model.vocab.size);
    return model;
  }

  // --- internals -------------------------------------------------------------------------------------------

  private scoreAdaptive(text: string, history: string): number {
    const hist = history ? lastCodePoints(history, this.order) : [];
    const cps = codePointsOf(text);
    if (cps.length === 0) return 0;
    const syms = new Int32Array(hist.length + cps.length);
    for (let i = 0; i < hist.length; i++) syms[i] = this.vocab.idOf(hist[i]!);
    let bits = 0;
    for (let i = 0; i < cps.length; i++) {
      const pos = hist.length + i;
      const cp = cps[i]!;
      this.refreshDiscounts();
      bits -= Math.log2(this.probAt(this.walk(syms, pos), this.vocab.idOf(cp)));
      syms[pos] = this.vocab.intern(cp);
      this.update(syms, pos);
      this.discDirty = true;
    }
    return bits / cps.length;
  }

  /** Counts `syms[pos]` after the context `syms[..pos)` (symbols < 0 end the context). */
  private update(syms: Int32Array, pos: number): void {
    if (!this.pruneFutile && this.nearBound()) {
      this.trie = pruneTrie(this.trie);
      this.discDirty = true;
      // If nothing prunable is left (only essential contexts), stop trying: the store is simply full and
      // stays frozen (existing counts still update), instead of re-pruning at every character.
      this.pruneFutile = this.nearBound();
    }
    const trie = this.trie;
    const path = this.path;
    let node = 0;
    let depth = 0;
    path[0] = 0;
    const maxK = Math.min(this.order, pos);
    for (let k = 1; k <= maxK; k++) {
      const s = syms[pos - k]!;
      if (s < 0) break;
      const child = trie.childOrCreate(node, s);
      if (child < 0) break;
      node = child;
      path[k] = child;
      depth = k;
    }
    const sym = syms[pos]!;
    for (let k = depth; k >= 0; k--) {
      if (!trie.increment(path[k]!, k, sym)) break;
    }
  }

  /** Fills `this.path` with the stored contexts before `syms[pos]`; returns the deepest order found. */
  private walk(syms: ArrayLike<number>, pos: number): number {
    const trie = this.trie;
    const path = this.path;
    path[0] = 0;
    let node = 0;
    let depth = 0;
    const maxK = Math.min(this.order, pos);
    for (let k = 1; k <= maxK; k++) {
      const s = syms[pos - k]!;
      if (s < 0) break;
      const child = trie.child(node, s);
      if (child < 0) break;
      node = child;
      path[k] = child;
      depth = k;
    }
    return depth;
  }

  private walkString(context: string): number {
    const cps = lastCodePoints(context, this.order);
    const syms = cps.map((cp) => this.vocab.idOf(cp));
    return this.walk(syms, syms.length);
  }

  private alphabet(): number {
    return Math.max(this.alphabetSize, this.vocab.size + 1);
  }

  private probAt(depth: number, sym: number): number {
    if (this.smoothing === 'kn') {
      this.refreshDiscounts();
      return knProb(this.trie, this.disc, this.path, depth, sym, this.alphabet());
    }
    return ppmProb(
      this.trie, this.path, depth, sym, this.alphabet(), this.smoothing === 'ppmd', this.ensureExcluded(),
    );
  }

  private distribution(depth: number, out: Float64Array): number {
    const vocab = this.vocab.size;
    if (this.smoothing === 'kn') {
      this.refreshDiscounts();
      return knDistribution(this.trie, this.disc, this.path, depth, vocab, this.alphabet(), out);
    }
    return ppmDistribution(
      this.trie, this.path, depth, vocab, this.alphabet(), this.smoothing === 'ppmd', this.ensureExcluded(), out,
    );
  }

  private nearBound(): boolean {
    return this.trie.nodeCount + this.order >= this.maxContexts || this.trie.entryCount + this.order >= this.trie.maxEntries;
  }

  private refreshDiscounts(): void {
    if (!this.discDirty) return;
    knDiscounts(this.trie, this.disc);
    this.discDirty = false;
  }

  private ensureExcluded(): Uint8Array {
    if (this.excluded.length < this.vocab.size) this.excluded = new Uint8Array(this.vocab.size * 2);
    return this.excluded;
  }

  private ensureScratch(n: number): Float64Array {
    if (this.scratch.length < n) this.scratch = new Float64Array(n * 2);
    return this.scratch;
  }
}
