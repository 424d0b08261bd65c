/**
 * A leading-and-trailing throttle: the first value goes out at once, later ones at most once per interval, and the
 * last value pushed is always delivered (never lost, never late by more than one interval). Pure; the clock is
 * injectable for tests.
 */
import type { IDisposable } from '../shared/disposable';

export interface ThrottleClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: ThrottleClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class Throttle<T> implements IDisposable {
  private last = Number.NEGATIVE_INFINITY;
  private timer: unknown = undefined;
  private pending: { value: T } | undefined;

  /** @param intervalMs minimum milliseconds between deliveries (100 ms = at most 10 a second). */
  constructor(
    private readonly intervalMs: number,
    private readonly deliver: (value: T) => void,
    private readonly clock: ThrottleClock = realClock,
  ) {}

  push(value: T): void {
    this.pending = { value };
    if (this.timer !== undefined) return;
    const wait = this.last + this.intervalMs - this.clock.now();
    if (wait <= 0) this.flush();
    else this.timer = this.clock.setTimeout(() => { this.timer = undefined; this.flush(); }, wait);
  }

  /** Delivers the pending value now, if any. */
  flush(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.last = this.clock.now();
    this.deliver(p.value);
  }

  /** Drops the pending value. */
  cancel(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  dispose(): void {
    this.cancel();
  }
}
