/**
 * Long-range match model (the "match model" of context-mixing compressors): finds the most recent earlier
 * place where the last few characters occurred, and predicts the character that followed there. Workspaces
 * repeat themselves at distances and lengths an order-8 n-gram cannot see (licence headers, duplicated lines,
 * an identifier used again); a match that has already run for 30 characters is almost always right.
 *
 * The history is all text read so far (the workspace, then what the user writes), as code points. A hash of
 * the last {@link MIN_MATCH} code points indexes the latest position after them. How much to trust a
 * prediction is left to the caller (`MixedPredictor` learns a weight per match-length bucket).
 */

import { lastCodePoints } from '../ngram/vocab';

/** Code points hashed to find a match. */
export const MIN_MATCH = 6;
/** Longest match length tracked (longer matches count as this). */
const MAX_LEN = 400;
/** Match-length bucket of `len` (0 = no match). */
export function lengthBucket(len: number): number {
  if (len < MIN_MATCH) return 0;
  if (len < 8) return 1;
  if (len < 12) return 2;
  if (len < 16) return 3;
  if (len < 24) return 4;
  if (len < 32) return 5;
  if (len < 64) return 6;
  if (len < 128) return 7;
  return 8;
}
export const LENGTH_BUCKETS = 9;

/** Where a document's text currently matches the history (kept in each recurrent state; cheap to copy). */
export interface MatchState {
  /** Position in the history of the predicted next code point, or -1. */
  ptr: number;
  /** Length of the current match in code points (0 = none). */
  len: number;
}

export class MatchModel {
  private hist: Int32Array;
  private size = 0;
  private readonly table: Int32Array;
  private readonly mask: number;

  /**
   * @param capacity most code points of history kept (older text is forgotten: the model then stops learning)
   * @param tableBits log2 of the hash-table size
   */
  constructor(readonly capacity = 1 << 23, tableBits = 22) {
    if (!Number.isInteger(capacity) || capacity < 16) throw new RangeError(`MatchModel: bad capacity ${capacity}`);
    if (!Number.isInteger(tableBits) || tableBits < 4 || tableBits > 26) throw new RangeError(`MatchModel: bad tableBits ${tableBits}`);
    this.hist = new Int32Array(Math.min(capacity, 1 << 16));
    this.table = new Int32Array(1 << tableBits).fill(-1);
    this.mask = (1 << tableBits) - 1;
  }

  /** A copy with the same history (later learning in one does not reach the other). */
  clone(): MatchModel {
    const copy = new MatchModel(this.capacity, Math.log2(this.table.length));
    copy.hist = this.hist.slice(0, Math.max(this.size, 16));
    copy.size = this.size;
    copy.table.set(this.table);
    return copy;
  }

  /** Code points of history held. */
  get length(): number {
    return this.size;
  }

  /** Appends a document to the history (as one more file of the workspace). */
  addText(text: string): void {
    for (const ch of text) this.append(ch.codePointAt(0)!);
  }

  newState(): MatchState {
    return { ptr: -1, len: 0 };
  }

  /** The predicted next code point and the match-length bucket, or null when nothing matches. */
  predict(s: MatchState): { codePoint: number; bucket: number } | null {
    if (s.len < MIN_MATCH || s.ptr < 0 || s.ptr >= this.size) return null;
    return { codePoint: this.hist[s.ptr]!, bucket: lengthBucket(s.len) };
  }

  /**
   * Moves the state past code point `cp` that follows `recent` (the text before it, of which at least the last
   * MIN_MATCH − 1 code points are needed). With `learn`, `cp` is real text and is added to the history.
   */
  advance(s: MatchState, cp: number, recent: string, learn: boolean): void {
    if (s.len > 0 && s.ptr >= 0 && s.ptr < this.size && this.hist[s.ptr] === cp) {
      s.len = Math.min(s.len + 1, MAX_LEN);
      s.ptr++;
    } else {
      s.len = 0;
      s.ptr = -1;
    }
    const tail = lastCodePoints(recent, MIN_MATCH - 1);
    tail.push(cp);
    if (s.len === 0 && tail.length >= MIN_MATCH) {
      // The newest earlier occurrence of these code points (looked up before this text is added to the history).
      const at = this.table[hashOf(tail, tail.length) & this.mask]!;
      if (at > 0 && at <= this.size) {
        let len = 0;
        while (len < tail.length && at - 1 - len >= 0 && this.hist[at - 1 - len] === tail[tail.length - 1 - len]) len++;
        if (len >= MIN_MATCH) {
          s.ptr = at;
          s.len = len;
        }
      }
    }
    if (learn) this.append(cp, tail);
  }

  private append(cp: number, tail?: number[]): void {
    if (this.size >= this.capacity) return;
    if (this.size === this.hist.length) {
      const grown = new Int32Array(Math.min(this.capacity, this.hist.length * 2));
      grown.set(this.hist);
      this.hist = grown;
    }
    this.hist[this.size++] = cp;
    if (this.size >= MIN_MATCH) {
      const key = tail && tail.length >= MIN_MATCH ? hashOf(tail, tail.length) : hashOf(this.hist, this.size);
      this.table[key & this.mask] = this.size; // the position after these MIN_MATCH code points
    }
  }
}

/** Hash of the MIN_MATCH code points ending before index `end` of `a`. */
function hashOf(a: ArrayLike<number>, end: number): number {
  let h = 0x811c9dc5;
  for (let i = end - MIN_MATCH; i < end; i++) h = Math.imul(h ^ a[i]!, 0x01000193);
  return h >>> 0;
}
