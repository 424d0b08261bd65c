/**
 * Count store of the n-gram model: a trie of contexts read backwards (the root is the empty context; the child
 * of context `h` along symbol `x` is the context `x h`, one symbol older), each context holding a linked list of
 * next-symbol counts ("entries"). Children and entries are singly linked lists in growable typed arrays; lists
 * are kept roughly most-frequent-first (move-to-front on update), so lookups scan few links.
 *
 * Counts follow the Kneser-Ney / PPM "update exclusion" rule: an occurrence of symbol `c` after the longest
 * stored context increments that context's count of `c`; a shorter context's count of `c` is incremented only
 * when the next longer one saw `c` for the first time. So at the maximum order counts are raw occurrence counts
 * and at lower orders they are continuation counts (how many distinct one-symbol-longer contexts saw `c`).
 *
 * Memory: 20 bytes per context and 12 bytes per entry, plus up to 50% unused capacity from growth. At most
 * `maxContexts` contexts and `2 * maxContexts` entries are stored (so at most 44 bytes × `maxContexts`,
 * 66 with slack); beyond that, counts of stored entries keep updating but nothing new is stored.
 */
export class ContextTrie {
  /** Maximum context length (symbols). */
  readonly order: number;
  /** Bound on stored contexts (including the root). */
  readonly maxContexts: number;
  /** Bound on stored entries. */
  readonly maxEntries: number;

  // Per context ("node"); node 0 is the root.
  parent: Int32Array;
  edgeSym: Int32Array;
  firstChild: Int32Array;
  nextSibling: Int32Array;
  first: Int32Array;
  nodeCount = 1;

  // Per (context, next symbol) entry.
  entSym: Int32Array;
  entCount: Int32Array;
  entNext: Int32Array;
  entryCount = 0;

  /** countOfCounts[order * 5 + k] = entries at that order whose count is exactly k (k = 1..4). */
  readonly countOfCounts: Float64Array;

  constructor(order: number, maxContexts: number) {
    this.order = order;
    this.maxContexts = maxContexts;
    this.maxEntries = 2 * maxContexts;
    const cap = Math.min(1024, maxContexts);
    this.parent = new Int32Array(cap);
    this.edgeSym = new Int32Array(cap);
    this.firstChild = new Int32Array(cap);
    this.nextSibling = new Int32Array(cap);
    this.first = new Int32Array(cap);
    this.parent[0] = -1;
    this.edgeSym[0] = -1;
    this.firstChild[0] = -1;
    this.nextSibling[0] = -1;
    this.first[0] = -1;
    this.entSym = new Int32Array(1024);
    this.entCount = new Int32Array(1024);
    this.entNext = new Int32Array(1024);
    this.countOfCounts = new Float64Array((order + 1) * 5);
  }

  /** Child of `node` along the older symbol `sym`, or -1. Read-only. */
  child(node: number, sym: number): number {
    for (let c = this.firstChild[node]!; c >= 0; c = this.nextSibling[c]!) {
      if (this.edgeSym[c] === sym) return c;
    }
    return -1;
  }

  /**
   * Child of `node` along `sym`, created if absent (and moved to the front of its list if found);
   * -1 if absent and the context bound is reached.
   */
  childOrCreate(node: number, sym: number): number {
    let prev = -1;
    for (let c = this.firstChild[node]!; c >= 0; prev = c, c = this.nextSibling[c]!) {
      if (this.edgeSym[c] !== sym) continue;
      if (prev >= 0) {
        this.nextSibling[prev] = this.nextSibling[c]!;
        this.nextSibling[c] = this.firstChild[node]!;
        this.firstChild[node] = c;
      }
      return c;
    }
    if (this.nodeCount >= this.maxContexts) return -1;
    return this.appendChild(node, sym, prev);
  }

  /** Count of next symbol `sym` in context `node` (0 if never seen). */
  countOf(node: number, sym: number): number {
    for (let e = this.first[node]!; e >= 0; e = this.entNext[e]!) {
      if (this.entSym[e] === sym) return this.entCount[e]!;
    }
    return 0;
  }

  /**
   * Adds 1 to the count of `sym` in context `node` of length `depth`. Returns true if the entry is new (or could
   * not be stored because the entry bound is reached): the caller then cascades to the next shorter context.
   */
  increment(node: number, depth: number, sym: number): boolean {
    const base = depth * 5;
    let prev = -1;
    for (let e = this.first[node]!; e >= 0; prev = e, e = this.entNext[e]!) {
      if (this.entSym[e] !== sym) continue;
      const old = this.entCount[e]!;
      if (old >= 0x7fffffff) return false;
      this.entCount[e] = old + 1;
      if (old <= 4) this.countOfCounts[base + old]!--;
      if (old < 4) this.countOfCounts[base + old + 1]!++;
      if (prev >= 0 && old >= this.entCount[this.first[node]!]!) {
        this.entNext[prev] = this.entNext[e]!;
        this.entNext[e] = this.first[node]!;
        this.first[node] = e;
      }
      return false;
    }
    if (this.entryCount >= this.maxEntries) return true;
    this.appendEntry(node, depth, sym, 1, prev);
    return true;
  }

  /** Deserialisation: appends a child known to be new, as the last child (`last` = current last or -1). */
  appendChild(node: number, sym: number, last: number): number {
    if (this.nodeCount >= this.parent.length) this.growNodes();
    const id = this.nodeCount++;
    this.parent[id] = node;
    this.edgeSym[id] = sym;
    this.firstChild[id] = -1;
    this.nextSibling[id] = -1;
    this.first[id] = -1;
    if (last >= 0) this.nextSibling[last] = id;
    else this.firstChild[node] = id;
    return id;
  }

  /** Appends an entry known to be new after `last` (or as the first); returns its index, -1 if full. */
  appendEntry(node: number, depth: number, sym: number, count: number, last: number): number {
    if (this.entryCount >= this.maxEntries) return -1;
    if (this.entryCount >= this.entSym.length) {
      const cap = Math.min(Math.ceil(this.entSym.length * 1.5), this.maxEntries);
      this.entSym = grow(this.entSym, cap);
      this.entCount = grow(this.entCount, cap);
      this.entNext = grow(this.entNext, cap);
    }
    const e = this.entryCount++;
    this.entSym[e] = sym;
    this.entCount[e] = count;
    this.entNext[e] = -1;
    if (last >= 0) this.entNext[last] = e;
    else this.first[node] = e;
    if (count <= 4) this.countOfCounts[depth * 5 + count]!++;
    return e;
  }

  /** Bytes held by the typed arrays (allocated capacity). */
  bytes(): number {
    return this.parent.length * 20 + this.entSym.length * 12 + this.countOfCounts.length * 8;
  }

  /** Exact copy. */
  clone(): ContextTrie {
    const t = new ContextTrie(this.order, this.maxContexts);
    t.parent = this.parent.slice(0, Math.max(this.nodeCount, 1));
    t.edgeSym = this.edgeSym.slice(0, t.parent.length);
    t.firstChild = this.firstChild.slice(0, t.parent.length);
    t.nextSibling = this.nextSibling.slice(0, t.parent.length);
    t.first = this.first.slice(0, t.parent.length);
    t.nodeCount = this.nodeCount;
    const ne = Math.max(this.entryCount, 1);
    t.entSym = this.entSym.slice(0, ne);
    t.entCount = this.entCount.slice(0, ne);
    t.entNext = this.entNext.slice(0, ne);
    t.entryCount = this.entryCount;
    t.countOfCounts.set(this.countOfCounts);
    return t;
  }

  private growNodes(): void {
    const cap = Math.min(Math.ceil(this.parent.length * 1.5), this.maxContexts);
    this.parent = grow(this.parent, cap);
    this.edgeSym = grow(this.edgeSym, cap);
    this.firstChild = grow(this.firstChild, cap);
    this.nextSibling = grow(this.nextSibling, cap);
    this.first = grow(this.first, cap);
  }
}

function grow(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}
