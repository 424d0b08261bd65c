/** Held-out scoring shared by the recipe benches. */
import type { Predictor } from '../engine/predictor';

/** Bits per character of `ids[1..]` given the earlier ones, one character at a time from an empty state. */
export function batchOneBits(p: Predictor, ids: Int32Array): number {
  const state = p.newState();
  let probs = p.step(state, ids[0]!);
  let bits = 0;
  for (let i = 1; i < ids.length; i++) {
    bits -= Math.log2(Math.max(probs[ids[i]!]!, 1e-30));
    probs = p.step(state, ids[i]!);
  }
  return bits / (ids.length - 1);
}
