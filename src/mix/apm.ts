/**
 * Adaptive probability map (APM, also called SSE: secondary symbol estimation), as in PAQ-family compressors:
 * refines a probability p of a binary event, in a small context, by a piecewise-linear function of stretch(p)
 * learned online from whether the event happened. Here the event is "the most likely next character is the one
 * that comes", so the refined probability is what the ghost text's confidence rests on.
 *
 * Each context has {@link BINS} knots over stretch(p) ∈ [−8, 8], starting on the identity. A prediction
 * interpolates the two knots around stretch(p); the update moves both toward the outcome, each in proportion to
 * its share, at a rate that starts fast and settles (1 / (n + 1.5), floored at `minRate`).
 */

export const BINS = 33;
const LO = -8;
const HI = 8;
const STEP = (HI - LO) / (BINS - 1);

export function stretch(p: number): number {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
}

export function squash(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Where an APM prediction was read, so that the update after the outcome touches the same knots. */
export interface ApmSlot {
  index: number;
  frac: number;
}

export class Apm {
  private readonly knots: Float64Array;
  private readonly counts: Float64Array;

  constructor(readonly contexts: number, private readonly minRate = 0.02) {
    if (!Number.isInteger(contexts) || contexts < 1 || contexts > 1 << 16) throw new RangeError(`Apm: bad contexts ${contexts}`);
    this.knots = new Float64Array(contexts * BINS);
    this.counts = new Float64Array(contexts * BINS);
    for (let c = 0; c < contexts; c++) for (let j = 0; j < BINS; j++) this.knots[c * BINS + j] = squash(LO + j * STEP);
  }

  /** The refined probability of the event in context `ctx`; `slot` receives where it was read. */
  refine(p: number, ctx: number, slot: ApmSlot): number {
    const c = ctx < 0 ? 0 : ctx >= this.contexts ? this.contexts - 1 : ctx | 0;
    const x = (Math.min(HI, Math.max(LO, stretch(p))) - LO) / STEP;
    const j = Math.min(BINS - 2, Math.floor(x));
    const frac = x - j;
    slot.index = c * BINS + j;
    slot.frac = frac;
    return this.knots[slot.index]! * (1 - frac) + this.knots[slot.index + 1]! * frac;
  }

  /** Learns the outcome (1: the event happened) of the prediction read at `slot`. */
  update(slot: ApmSlot, outcome: 0 | 1): void {
    for (const [i, share] of [[slot.index, 1 - slot.frac], [slot.index + 1, slot.frac]] as const) {
      if (share <= 0) continue;
      const n = this.counts[i]!;
      const rate = Math.max(this.minRate, 1 / (n + 1.5)) * share;
      this.knots[i] = this.knots[i]! + rate * (outcome - this.knots[i]!);
      this.counts[i] = Math.min(n + share, 1023);
    }
  }
}
