import { ContextTrie } from './trie';

/** Fraction of the bounds a pruned trie is brought down to, leaving room to grow before the next prune. */
export const PRUNE_TARGET = 0.6;
const MAX_THRESHOLD = 1 << 16;

/**
 * Returns a compacted copy of `trie` without its rarest deep contexts: every context of length >= 2 whose
 * subtree's largest entry total (sum of counts in one context) is at most a threshold θ is dropped with its
 * entries, θ being the smallest value that brings contexts and entries to at most {@link PRUNE_TARGET} of their
 * bounds (or the largest tried, 2^16). Dropping whole subtrees keeps every stored context reachable, and a
 * context is never dropped while a longer context under it is kept. Shorter contexts keep their continuation
 * counts (as in pruned Kneser-Ney models). Deterministic; O(contexts + entries) time, and transiently a second
 * copy of the arrays.
 */
export function pruneTrie(trie: ContextTrie): ContextTrie {
  const n = trie.nodeCount;
  const bfs = new Int32Array(n);
  const depth = new Uint8Array(n);
  let len = 1;
  for (let i = 0; i < len; i++) {
    const id = bfs[i]!;
    for (let c = trie.firstChild[id]!; c >= 0; c = trie.nextSibling[c]!) {
      depth[c] = depth[id]! + 1;
      bfs[len++] = c;
    }
  }
  // sub[id] = largest entry total in the subtree of id; entriesIn[id] = entries of id itself.
  const sub = new Float64Array(n);
  const entriesIn = new Int32Array(n);
  for (let id = 0; id < n; id++) {
    let t = 0;
    let k = 0;
    for (let e = trie.first[id]!; e >= 0; e = trie.entNext[e]!) { t += trie.entCount[e]!; k++; }
    sub[id] = t;
    entriesIn[id] = k;
  }
  for (let i = len - 1; i > 0; i--) {
    const id = bfs[i]!;
    const p = trie.parent[id]!;
    if (sub[id]! > sub[p]!) sub[p] = sub[id]!;
  }
  // Histogram of removable nodes/entries by their subtree maximum.
  const remNodes = new Float64Array(MAX_THRESHOLD + 1);
  const remEntries = new Float64Array(MAX_THRESHOLD + 1);
  for (let id = 1; id < n; id++) {
    if (depth[id]! < 2 || sub[id]! > MAX_THRESHOLD) continue;
    remNodes[sub[id]!]! += 1;
    remEntries[sub[id]!]! += entriesIn[id]!;
  }
  const nodeTarget = PRUNE_TARGET * trie.maxContexts;
  const entryTarget = PRUNE_TARGET * trie.maxEntries;
  let keptNodes = n;
  let keptEntries = trie.entryCount;
  let theta = 0;
  while (theta < MAX_THRESHOLD && (keptNodes > nodeTarget || keptEntries > entryTarget)) {
    theta++;
    keptNodes -= remNodes[theta]!;
    keptEntries -= remEntries[theta]!;
  }
  return compact(trie, bfs, len, (id) => depth[id]! < 2 || sub[id]! > theta, depth);
}

function compact(
  trie: ContextTrie, bfs: Int32Array, len: number, keep: (id: number) => boolean, depth: Uint8Array,
): ContextTrie {
  const out = new ContextTrie(trie.order, trie.maxContexts);
  const newId = new Int32Array(trie.nodeCount).fill(-1);
  newId[0] = 0;
  for (let i = 0; i < len; i++) {
    const id = bfs[i]!;
    const nid = newId[id]!;
    if (nid < 0) continue;
    let last = -1;
    for (let c = trie.firstChild[id]!; c >= 0; c = trie.nextSibling[c]!) {
      if (!keep(c)) continue;
      last = out.appendChild(nid, trie.edgeSym[c]!, last);
      newId[c] = last;
    }
    let lastE = -1;
    for (let e = trie.first[id]!; e >= 0; e = trie.entNext[e]!) {
      lastE = out.appendEntry(nid, depth[id]!, trie.entSym[e]!, trie.entCount[e]!, lastE);
    }
  }
  return out;
}
