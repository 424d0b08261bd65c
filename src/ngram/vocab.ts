/**
 * Symbol vocabulary of the n-gram model: maps Unicode code points to dense symbol ids `0..size-1`
 * in first-seen order (so ids, and everything derived from them, are deterministic for a given input).
 */
export class Vocab {
  private readonly ascii = new Int32Array(128).fill(-1);
  private readonly others = new Map<number, number>();
  private readonly cps: number[] = [];
  private readonly strs: string[] = [];

  /** Number of distinct symbols seen. */
  get size(): number {
    return this.cps.length;
  }

  /** Symbol id of code point `cp`, or -1 if it was never interned. */
  idOf(cp: number): number {
    if (cp < 128) return this.ascii[cp] ?? -1;
    return this.others.get(cp) ?? -1;
  }

  /** Symbol id of `cp`, adding it to the vocabulary if new. */
  intern(cp: number): number {
    const id = this.idOf(cp);
    if (id >= 0) return id;
    const nid = this.cps.length;
    this.cps.push(cp);
    this.strs.push(String.fromCodePoint(cp));
    if (cp < 128) this.ascii[cp] = nid;
    else this.others.set(cp, nid);
    return nid;
  }

  /** Code point of symbol `id` (caller guarantees `0 <= id < size`). */
  codePoint(id: number): number {
    return this.cps[id] ?? 0;
  }

  /** The character (one code point, 1 or 2 UTF-16 units) of symbol `id`. */
  char(id: number): string {
    return this.strs[id] ?? '';
  }

  /** All code points in id order (a copy). */
  codePoints(): number[] {
    return this.cps.slice();
  }

  /** All characters in id order (a copy). */
  chars(): string[] {
    return this.strs.slice();
  }
}

/** Code points of `text`, in order (a lone surrogate counts as one code point). */
export function codePointsOf(text: string): Int32Array {
  const out = new Int32Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i) ?? 0;
    out[n++] = cp;
    if (cp > 0xffff) i++;
  }
  return out.subarray(0, n);
}

/** The last `n` code points of `text` (fewer if the text is shorter), oldest first. */
export function lastCodePoints(text: string, n: number): number[] {
  const rev: number[] = [];
  let i = text.length - 1;
  while (i >= 0 && rev.length < n) {
    const lo = text.charCodeAt(i);
    if (lo >= 0xdc00 && lo <= 0xdfff && i > 0) {
      const hi = text.charCodeAt(i - 1);
      if (hi >= 0xd800 && hi <= 0xdbff) {
        rev.push(((hi - 0xd800) << 10) + (lo - 0xdc00) + 0x10000);
        i -= 2;
        continue;
      }
    }
    rev.push(lo);
    i--;
  }
  return rev.reverse();
}

/** The first code point of `ch` (-1 for the empty string). */
export function firstCodePoint(ch: string): number {
  return ch.length === 0 ? -1 : (ch.codePointAt(0) ?? -1);
}
