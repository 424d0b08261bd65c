/**
 * Phases of a training step, for `inkling bench --profile`. The network charges wall time to the phase it
 * enters ({@link PhaseClock.enter}); without a clock attached nothing is measured (one null check per mark).
 */
export type Phase =
  | 'embedding'
  | 'input products'
  | 'recurrent fwd'
  | 'cells fwd'
  | 'dropout'
  | 'output products'
  | 'softmax+CE'
  | 'recurrent bwd'
  | 'cells bwd'
  | 'recurrent weight grads'
  | 'bias grads'
  | 'clip norm'
  | 'adam'
  | 'other';

export class PhaseClock {
  /** Milliseconds charged to each phase since creation (or {@link reset}). */
  readonly ms = new Map<Phase, number>();
  private current: Phase | null = null;
  private since = 0;

  /** Charges the time since the last mark to the phase entered then, and starts timing `phase`. */
  enter(phase: Phase): void {
    const now = performance.now();
    if (this.current) this.ms.set(this.current, (this.ms.get(this.current) ?? 0) + now - this.since);
    this.current = phase;
    this.since = now;
  }

  /** Ends the current phase. */
  stop(): void {
    if (this.current) this.enter(this.current);
    this.current = null;
  }

  reset(): void {
    this.ms.clear();
    this.current = null;
  }
}
