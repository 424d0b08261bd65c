/** Choosing the next character from a distribution: greedy (temperature 0), temperature and top-k sampling. */
import { Rng } from './rng';
import { UNKNOWN_ID } from './vocab';

export interface SamplingOptions {
  /** 0 = greedy (always the most likely character); 1 = the model's distribution; higher = flatter. @default 0 */
  temperature: number;
  /** Keep only the k most likely characters (0 = all). @default 0 */
  topK?: number;
  /** Random source; required when temperature > 0. */
  rng?: Rng;
}

/** Picks a character id from `probs` [V]. The unknown-character id is never chosen. */
export function pick(probs: Float32Array, opts: SamplingOptions): number {
  const V = probs.length;
  if (!(opts.temperature > 0)) {
    let best = UNKNOWN_ID === 0 && V > 1 ? 1 : 0;
    for (let v = 1; v < V; v++) if (probs[v]! > probs[best]!) best = v;
    return best;
  }
  if (!opts.rng) throw new Error('sampling with temperature > 0 needs an rng');
  const inv = 1 / opts.temperature;
  const w = new Float64Array(V);
  let max = -Infinity;
  for (let v = 1; v < V; v++) {
    const lp = Math.log(Math.max(probs[v]!, 1e-30)) * inv;
    w[v] = lp;
    if (lp > max) max = lp;
  }
  let cutoff = -Infinity;
  const k = opts.topK ?? 0;
  if (k > 0 && k < V - 1) cutoff = [...w.subarray(1)].sort((a, b) => b - a)[k - 1]!;
  let sum = 0;
  for (let v = 1; v < V; v++) {
    const e = w[v]! >= cutoff ? Math.exp(w[v]! - max) : 0;
    w[v] = e;
    sum += e;
  }
  let r = opts.rng.next() * sum;
  for (let v = 1; v < V; v++) {
    r -= w[v]!;
    if (r <= 0 && w[v]! > 0) return v;
  }
  for (let v = V - 1; v >= 1; v--) if (w[v]! > 0) return v;
  return 1;
}
