/**
 * A bounded history of curve points for long runs: keeps at most `capacity` points by halving the kept points
 * (every other one) and doubling the stride whenever it fills up, so the curve keeps its whole span at a roughly
 * even density. The first point is always kept, and the latest point pushed is always the last one (as a
 * provisional tail until the stride reaches it). Deterministic: the host and the webview, fed the same points,
 * hold the same history. Pure.
 */
export class PointHistory<T> {
  private kept: T[] = [];
  private tail: T | undefined;
  private stride = 1;
  /** Points pushed since the last kept one. */
  private sinceKept = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 4) throw new RangeError(`capacity must be an integer >= 4, not ${capacity}`);
  }

  push(p: T): void {
    this.sinceKept++;
    if (this.kept.length === 0 || this.sinceKept >= this.stride) {
      this.kept.push(p);
      this.tail = undefined;
      this.sinceKept = 0;
      // One slot stays free for the provisional tail.
      if (this.kept.length >= this.capacity) this.decimate();
    } else {
      this.tail = p;
    }
  }

  private decimate(): void {
    const lastIndex = this.kept.length - 1;
    // Drop the odd-indexed points; a dropped last point becomes the provisional tail.
    if (lastIndex % 2 === 1) {
      this.tail = this.kept[lastIndex];
      this.sinceKept = this.stride;
    }
    this.kept = this.kept.filter((_, i) => i % 2 === 0);
    this.stride *= 2;
  }

  /** The points, oldest first (at most `capacity`). */
  points(): T[] {
    return this.tail === undefined ? this.kept.slice() : [...this.kept, this.tail];
  }

  get length(): number {
    return this.kept.length + (this.tail === undefined ? 0 : 1);
  }

  /** Raw points between kept points (1 until the first decimation). */
  get spacing(): number {
    return this.stride;
  }

  /** Everything needed to continue this history elsewhere (the webview's copy) with {@link restore}. */
  snapshot(): HistorySnapshot<T> {
    return { points: this.points(), tail: this.tail !== undefined, stride: this.stride, sinceKept: this.sinceKept };
  }

  /** Continues from a snapshot; rejects (returns false, and clears) one that does not fit this capacity. */
  restore(s: HistorySnapshot<T>): boolean {
    this.clear();
    const kept = s.tail ? s.points.length - 1 : s.points.length;
    const powerOfTwo = Number.isInteger(s.stride) && s.stride >= 1 && (s.stride & (s.stride - 1)) === 0;
    if (kept < 0 || kept >= this.capacity || !powerOfTwo || !Number.isInteger(s.sinceKept) || s.sinceKept < 0 || s.sinceKept > s.stride) return false;
    this.kept = s.points.slice(0, kept);
    this.tail = s.tail ? s.points[kept] : undefined;
    this.stride = s.stride;
    this.sinceKept = s.sinceKept;
    return true;
  }

  clear(): void {
    this.kept = [];
    this.tail = undefined;
    this.stride = 1;
    this.sinceKept = 0;
  }
}

/** A {@link PointHistory}'s state: its points (the last one provisional when `tail`), stride and phase. */
export interface HistorySnapshot<T> {
  points: T[];
  tail: boolean;
  stride: number;
  sinceKept: number;
}
