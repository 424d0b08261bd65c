import type { ContextTrie } from './trie';

/**
 * Smoothing methods of the n-gram model, all over the counts of a {@link ContextTrie}:
 *
 * - `kn`: interpolated modified Kneser-Ney (Chen & Goodman): three discounts per order estimated from that
 *   order's counts-of-counts, continuation counts below the top order, interpolated down to a uniform
 *   distribution over the alphabet.
 * - `ppmd` / `ppmc`: PPM back-off with full exclusion, escape estimated by method D (`distinct / 2·total`) or
 *   C (`distinct / (total + distinct)`), ending in a uniform distribution over the symbols not yet excluded.
 */
export type Smoothing = 'kn' | 'ppmd' | 'ppmc';

/** Per-order modified-KN discounts `[D1, D2, D3+]`, flattened: `d[order * 3 + (min(count, 3) - 1)]`. */
export function knDiscounts(trie: ContextTrie, out: Float64Array): void {
  const coc = trie.countOfCounts;
  for (let k = 0; k <= trie.order; k++) {
    const n1 = coc[k * 5 + 1]!;
    const n2 = coc[k * 5 + 2]!;
    const n3 = coc[k * 5 + 3]!;
    const n4 = coc[k * 5 + 4]!;
    let d1 = 0.5;
    let d2 = 1;
    let d3 = 1.5;
    if (n1 > 0 && n2 > 0) {
      const y = n1 / (n1 + 2 * n2);
      d1 = 1 - (2 * y * n2) / n1;
      if (n3 > 0) d2 = 2 - (3 * y * n3) / n2;
      if (n3 > 0 && n4 > 0) d3 = 3 - (4 * y * n4) / n3;
    }
    out[k * 3] = clamp(d1, 0.05, 0.95);
    out[k * 3 + 1] = clamp(d2, 0.1, 1.9);
    out[k * 3 + 2] = clamp(d3, 0.15, 2.9);
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : lo;
}

/**
 * P(sym | context) under interpolated modified KN. `path[k]` is the stored context of length k (k = 0..depth).
 * Cost: one scan of each context's entry list.
 * `sym` < 0 means a symbol outside the vocabulary. `alphabet` is the size of the uniform base distribution.
 */
export function knProb(
  trie: ContextTrie, disc: Float64Array, path: Int32Array, depth: number, sym: number, alphabet: number,
): number {
  let p = 1 / alphabet;
  for (let k = 0; k <= depth; k++) {
    const node = path[k]!;
    let t = 0;
    let n1 = 0;
    let n2 = 0;
    let n3 = 0;
    let c = 0;
    for (let e = trie.first[node]!; e >= 0; e = trie.entNext[e]!) {
      const n = trie.entCount[e]!;
      t += n;
      if (n === 1) n1++;
      else if (n === 2) n2++;
      else n3++;
      if (trie.entSym[e] === sym) c = n;
    }
    if (t === 0) continue;
    const d1 = disc[k * 3]!;
    const d2 = disc[k * 3 + 1]!;
    const d3 = disc[k * 3 + 2]!;
    const own = c === 0 ? 0 : c - (c === 1 ? d1 : c === 2 ? d2 : d3);
    p = (own + (d1 * n1 + d2 * n2 + d3 * n3) * p) / t;
  }
  return p;
}

/**
 * Dense next-symbol distribution under interpolated modified KN, written to `out[0..vocab)`.
 * Returns the mass left for symbols outside the vocabulary (`out` plus that mass sums to 1).
 */
export function knDistribution(
  trie: ContextTrie, disc: Float64Array, path: Int32Array, depth: number, vocab: number, alphabet: number,
  out: Float64Array,
): number {
  out.fill(1 / alphabet, 0, vocab);
  let escape = (alphabet - vocab) / alphabet;
  for (let k = 0; k <= depth; k++) {
    const node = path[k]!;
    let t = 0;
    let n1 = 0;
    let n2 = 0;
    let n3 = 0;
    for (let e = trie.first[node]!; e >= 0; e = trie.entNext[e]!) {
      const n = trie.entCount[e]!;
      t += n;
      if (n === 1) n1++;
      else if (n === 2) n2++;
      else n3++;
    }
    if (t === 0) continue;
    const d1 = disc[k * 3]!;
    const d2 = disc[k * 3 + 1]!;
    const d3 = disc[k * 3 + 2]!;
    const gamma = (d1 * n1 + d2 * n2 + d3 * n3) / t;
    for (let v = 0; v < vocab; v++) out[v]! *= gamma;
    escape *= gamma;
    for (let e = trie.first[node]!; e >= 0; e = trie.entNext[e]!) {
      const n = trie.entCount[e]!;
      out[trie.entSym[e]!]! += (n - (n === 1 ? d1 : n === 2 ? d2 : d3)) / t;
    }
  }
  return escape;
}

/**
 * P(sym | context) under PPM with full exclusion. `excluded` is scratch space of at least `vocab` bytes, all 0
 * on entry and on return. `methodD` selects escape method D (else C).
 */
export function ppmProb(
  trie: ContextTrie, path: Int32Array, depth: number, sym: number, alphabet: number, methodD: boolean,
  excluded: Uint8Array,
): number {
  let p = 1;
  let nExcluded = 0;
  let result = -1;
  for (let k = depth; k >= 0 && result < 0; k--) {
    const node = path[k]!;
    let t = 0;
    let distinct = 0;
    let c = 0;
    for (let e = trie.first[node]!; e >= 0; e = trie.entNext[e]!) {
      const s = trie.entSym[e]!;
      if (excluded[s] !== 0) continue;
      const n = trie.entCount[e]!;
      t += n;
      distinct++;
      if (s === sym) c = n;
    }
    if (distinct === 0) continue;
    if (c > 0) {
      result = methodD ? (p * (2 * c - 1)) / (2 * t) : (p * c) / (t + distinct);
      break;
    }
    p *= methodD ? distinct / (2 * t) : distinct / (t + distinct);
    for (let e = trie.first[node]!; e >= 0; e = trie.entNext[e]!) {
      const s = trie.entSym[e]!;
      if (excluded[s] === 0) { excluded[s] = 1; nExcluded++; }
    }
  }
  if (result < 0) result = p / (alphabet - nExcluded);
  if (nExcluded > 0) {
    for (let k = depth; k >= 0; k--) {
      for (let e = trie.first[path[k]!]!; e >= 0; e = trie.entNext[e]!) excluded[trie.entSym[e]!] = 0;
    }
  }
  return result;
}

/** Dense distribution under PPM with full exclusion; see {@link knDistribution} for `out` and the result. */
export function ppmDistribution(
  trie: ContextTrie, path: Int32Array, depth: number, vocab: number, alphabet: number, methodD: boolean,
  excluded: Uint8Array, out: Float64Array,
): number {
  out.fill(0, 0, vocab);
  let mass = 1;
  let nExcluded = 0;
  for (let k = depth; k >= 0; k--) {
    const node = path[k]!;
    let t = 0;
    let distinct = 0;
    for (let e = trie.first[node]!; e >= 0; e = trie.entNext[e]!) {
      if (excluded[trie.entSym[e]!] !== 0) continue;
      t += trie.entCount[e]!;
      distinct++;
    }
    if (distinct === 0) continue;
    const denom = methodD ? 2 * t : t + distinct;
    for (let e = trie.first[node]!; e >= 0; e = trie.entNext[e]!) {
      const s = trie.entSym[e]!;
      if (excluded[s] !== 0) continue;
      const n = trie.entCount[e]!;
      out[s] = (mass * (methodD ? 2 * n - 1 : n)) / denom;
      excluded[s] = 1;
      nExcluded++;
    }
    mass *= distinct / denom;
  }
  const each = mass / (alphabet - nExcluded);
  for (let v = 0; v < vocab; v++) {
    if (excluded[v] === 0) out[v] = each;
    else excluded[v] = 0;
  }
  return each * (alphabet - vocab);
}
