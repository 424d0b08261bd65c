import { fromBase64, toBase64 } from './base64';
import type { Smoothing } from './smoothing';
import { ContextTrie } from './trie';
import { VarintReader, VarintWriter } from './varint';

/** Identifies serialised n-gram models. */
export const NGRAM_FORMAT = 'inkling-ngram';
/** Current serialisation version; {@link decodeModel} accepts only this one. */
export const NGRAM_VERSION = 1;

/** Model settings stored alongside the counts. */
export interface NGramSettings {
  order: number;
  maxContexts: number;
  smoothing: Smoothing;
  alphabetSize: number;
}

/**
 * Serialised model (plain JSON). `data` is base64 of unsigned varints: for each context after the root (breadth-first), its
 * distance in that order to its parent context and the symbol id that extends it; then for each context, the number of
 * next-symbol pairs followed by (symbol id, count) pairs. `checksum` is FNV-1a (32-bit, hex) over the settings,
 * vocabulary, sizes and `data`.
 */
export interface NGramJSON extends NGramSettings {
  format: typeof NGRAM_FORMAT;
  version: number;
  /** Code points of the vocabulary in symbol-id order. */
  vocab: number[];
  contexts: number;
  entries: number;
  data: string;
  checksum: string;
}

/** Encodes settings, vocabulary and counts. */
export function encodeModel(settings: NGramSettings, vocab: number[], trie: ContextTrie): NGramJSON {
  const w = new VarintWriter();
  // Contexts in breadth-first order over the child lists; a restored trie numbers them in that order, so its
  // lists (and its serialisation) are identical.
  const bfs = new Int32Array(trie.nodeCount);
  const newId = new Int32Array(trie.nodeCount);
  let n = 1;
  for (let i = 0; i < n; i++) {
    for (let c = trie.firstChild[bfs[i]!]!; c >= 0; c = trie.nextSibling[c]!) {
      newId[c] = n;
      bfs[n++] = c;
    }
  }
  for (let j = 1; j < n; j++) {
    const id = bfs[j]!;
    w.write(j - newId[trie.parent[id]!]!);
    w.write(trie.edgeSym[id]!);
  }
  for (let j = 0; j < n; j++) {
    const id = bfs[j]!;
    let count = 0;
    for (let e = trie.first[id]!; e >= 0; e = trie.entNext[e]!) count++;
    w.write(count);
    for (let e = trie.first[id]!; e >= 0; e = trie.entNext[e]!) {
      w.write(trie.entSym[e]!);
      w.write(trie.entCount[e]!);
    }
  }
  const bytes = w.bytes();
  const head = {
    format: NGRAM_FORMAT, version: NGRAM_VERSION, order: settings.order, maxContexts: settings.maxContexts,
    smoothing: settings.smoothing, alphabetSize: settings.alphabetSize, vocab,
    contexts: trie.nodeCount, entries: trie.entryCount,
  } as const;
  return { ...head, data: toBase64(bytes), checksum: checksum(head, bytes) };
}

/** Validated settings and vocabulary, plus a function that loads the counts into an empty trie. */
export interface DecodedModel {
  options: NGramSettings;
  vocab: number[];
  restore(trie: ContextTrie, vocabSize: number): void;
}

/** Validates `json` as {@link NGramJSON}; throws an Error starting with "Invalid n-gram model" if it is not. */
export function decodeModel(json: unknown): DecodedModel {
  try {
    return decodeUnchecked(json);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`Invalid n-gram model: ${msg}`, { cause: err });
  }
}

function decodeUnchecked(json: unknown): DecodedModel {
  if (typeof json === 'string') json = JSON.parse(json) as unknown;
  if (typeof json !== 'object' || json === null) throw new Error('not an object');
  const o = json as Record<string, unknown>;
  if (o.format !== NGRAM_FORMAT) throw new Error(`format is not "${NGRAM_FORMAT}"`);
  if (o.version !== NGRAM_VERSION) throw new Error(`unsupported version ${String(o.version)}`);
  const order = int(o.order, 'order', 1, 32);
  const maxContexts = int(o.maxContexts, 'maxContexts', 1, 0x3fffffff);
  const alphabetSize = int(o.alphabetSize, 'alphabetSize', 2, 0x110000);
  const smoothing = o.smoothing;
  if (smoothing !== 'kn' && smoothing !== 'ppmd' && smoothing !== 'ppmc') throw new Error('bad smoothing');
  if (!Array.isArray(o.vocab)) throw new Error('vocab is not an array');
  const vocab = (o.vocab as unknown[]).map((v) => int(v, 'vocab code point', 0, 0x10ffff));
  if (new Set(vocab).size !== vocab.length) throw new Error('duplicate vocab code point');
  const contexts = int(o.contexts, 'contexts', 1, maxContexts);
  const entries = int(o.entries, 'entries', 0, 2 * maxContexts);
  if (typeof o.data !== 'string') throw new Error('data is not a string');
  if (typeof o.checksum !== 'string') throw new Error('checksum is not a string');
  const bytes = fromBase64(o.data);
  const head = {
    format: NGRAM_FORMAT, version: NGRAM_VERSION, order, maxContexts, smoothing, alphabetSize, vocab,
    contexts, entries,
  } as const;
  if (checksum(head, bytes) !== o.checksum) throw new Error('checksum mismatch (corrupted data)');
  return {
    options: { order, maxContexts, smoothing, alphabetSize },
    vocab,
    restore: (trie, vocabSize) => {
      try {
        restoreCounts(trie, vocabSize, contexts, entries, bytes);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        throw new Error(`Invalid n-gram model: ${msg}`, { cause: err });
      }
    },
  };
}

function restoreCounts(trie: ContextTrie, vocabSize: number, contexts: number, entries: number, bytes: Uint8Array) {
  const r = new VarintReader(bytes);
  const depth = new Uint8Array(contexts);
  const lastChild = new Int32Array(contexts).fill(-1);
  const stamp = new Int32Array(vocabSize).fill(-1);
  for (let id = 1; id < contexts; id++) {
    const dist = r.read();
    const sym = r.read();
    if (dist < 1 || dist > id) throw new Error(`context ${id}: bad parent`);
    if (sym >= vocabSize) throw new Error(`context ${id}: symbol out of range`);
    const parent = id - dist;
    if (depth[parent]! >= trie.order) throw new Error(`context ${id}: deeper than the order`);
    if (trie.child(parent, sym) >= 0) throw new Error(`context ${id}: duplicate`);
    if (trie.nodeCount >= trie.maxContexts) throw new Error('more contexts than the memory bound allows');
    depth[id] = depth[parent]! + 1;
    lastChild[parent] = trie.appendChild(parent, sym, lastChild[parent]!);
  }
  let total = 0;
  for (let id = 0; id < contexts; id++) {
    const n = r.read();
    if (n > vocabSize) throw new Error(`context ${id}: too many entries`);
    let last = -1;
    for (let j = 0; j < n; j++) {
      const sym = r.read();
      const count = r.read();
      if (sym >= vocabSize) throw new Error(`context ${id}: symbol out of range`);
      if (stamp[sym] === id) throw new Error(`context ${id}: duplicate entry`);
      if (count < 1) throw new Error(`context ${id}: zero count`);
      stamp[sym] = id;
      last = trie.appendEntry(id, depth[id]!, sym, count, last);
      if (last < 0) throw new Error('more entries than the memory bound allows');
      total++;
    }
  }
  if (total !== entries) throw new Error('entry count mismatch');
  if (!r.done) throw new Error('trailing data');
}

function int(v: unknown, what: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new Error(`${what} must be an integer in ${lo}..${hi}`);
  }
  return v;
}

function checksum(head: object, bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  const text = JSON.stringify(head);
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
