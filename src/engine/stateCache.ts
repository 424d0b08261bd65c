/**
 * Per-document recurrent state, so that a keystroke costs one model step instead of re-reading the context.
 *
 * The provider sends the last `contextChars` characters before the cursor. For each document we keep a few
 * snapshots `(text fed, state, next-char distribution)`. A request whose context is a snapshot's text plus a
 * few new characters (typing) feeds just those; one that ends where an older snapshot ended (backspace,
 * undo) reuses it. Anything else (a jump elsewhere, a paste) primes a fresh state from the context (cold).
 */
import { prime } from './generate';
import type { RecurrentState, StepModel } from './predictor';
import type { Vocabulary } from './vocab';

interface Snapshot<S extends RecurrentState> {
  text: string;
  state: S;
  probs: Float32Array;
}

export interface Prepared<S extends RecurrentState = RecurrentState> {
  state: S;
  probs: Float32Array;
  /** True when the state was rebuilt from the whole context. */
  cold: boolean;
  /** Characters fed for this request. */
  fed: number;
}

export class DocumentStates<S extends RecurrentState = RecurrentState> {
  private readonly docs = new Map<string, Snapshot<S>[]>();

  /**
   * @param maxTyped most new characters fed incrementally before a cold start is cheaper to reason about
   * @param maxSnapshots snapshots kept per document (for backspace and undo)
   * @param maxDocs documents kept (least recently used evicted)
   */
  constructor(
    private readonly predictor: StepModel<S>,
    private readonly vocab: Vocabulary,
    private readonly maxTyped = 64,
    private readonly maxSnapshots = 16,
    private readonly maxDocs = 32,
  ) {}

  /**
   * The state after `context` in document `doc`; the returned state is a private copy the caller may advance.
   * @param wholePrefix the context is the document's entire text before the cursor (it starts at offset 0),
   *   so only a snapshot of exactly that text may be reused.
   * @param learn the newly typed text may be learned from (false in files training would skip).
   */
  prepare(doc: string, context: string, wholePrefix = false, learn = true): Prepared<S> {
    const snaps = this.docs.get(doc) ?? [];
    this.docs.delete(doc);
    this.docs.set(doc, snaps); // most recently used last
    const found = this.findBase(snaps, context, wholePrefix);
    let snap: Snapshot<S>;
    let cold = false;
    let fed = 0;
    if (found && found.delta === '') {
      snap = found.snap;
    } else if (found) {
      const state = this.predictor.cloneState(found.snap.state);
      // Typed (or pasted) text: the user's own, which an adaptive model learns from (unless `learn` is off).
      const probs = this.predictor.feed(state, this.vocab.encode(found.delta), learn)!;
      fed = found.delta.length;
      snap = { text: trimTail(found.snap.text + found.delta, context.length), state, probs: probs.slice() };
      this.push(snaps, snap);
    } else {
      cold = true;
      const { state, probs } = prime(this.predictor, this.vocab, context);
      fed = state.fed;
      snap = { text: context, state, probs };
      this.push(snaps, snap);
    }
    this.evict();
    return { state: this.predictor.cloneState(snap.state), probs: snap.probs, cold, fed };
  }

  forget(doc: string): void {
    this.docs.delete(doc);
  }

  clear(): void {
    this.docs.clear();
  }

  get size(): number {
    return this.docs.size;
  }

  /** Newest snapshot whose text, plus at most `maxTyped` characters, ends as the context does. */
  private findBase(snaps: Snapshot<S>[], context: string, wholePrefix: boolean): { snap: Snapshot<S>; delta: string } | null {
    for (let i = snaps.length - 1; i >= 0; i--) {
      const snap = snaps[i]!;
      for (let d = 0; d <= Math.min(this.maxTyped, context.length - 1); d++) {
        const head = context.slice(0, context.length - d);
        if (wholePrefix ? snap.text === head : snap.text.endsWith(head)) return { snap, delta: context.slice(context.length - d) };
      }
    }
    return null;
  }

  private push(snaps: Snapshot<S>[], snap: Snapshot<S>): void {
    snaps.push(snap);
    if (snaps.length > this.maxSnapshots) snaps.shift();
  }

  private evict(): void {
    while (this.docs.size > this.maxDocs) this.docs.delete(this.docs.keys().next().value!);
  }
}

/** Keeps the last `2 × window` characters: enough to match the next context, bounded in memory. */
function trimTail(text: string, window: number): string {
  return text.length > 2 * window + 64 ? text.slice(text.length - 2 * window) : text;
}
