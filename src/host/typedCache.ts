/**
 * Keeps the last suggestion shown in each document so that typing its first characters keeps showing the
 * rest without asking the model again.
 */
export interface Shown {
  /** Document text before the cursor when the suggestion was made (its last `contextChars`). */
  before: string;
  items: string[];
}

export class TypedCache {
  private readonly byDoc = new Map<string, Shown>();

  constructor(private readonly maxDocs = 64) {}

  remember(doc: string, shown: Shown): void {
    this.byDoc.delete(doc);
    this.byDoc.set(doc, shown);
    while (this.byDoc.size > this.maxDocs) this.byDoc.delete(this.byDoc.keys().next().value!);
  }

  /**
   * If `before` is the remembered text plus a prefix of the remembered items, returns the rest of each item
   * that still matches (in order); otherwise undefined.
   */
  lookup(doc: string, before: string): string[] | undefined {
    const shown = this.byDoc.get(doc);
    if (!shown) return undefined;
    // The context is a sliding window: compare the part both texts share.
    const typedLen = findTyped(shown.before, before);
    if (typedLen < 0) return undefined;
    const typed = before.slice(before.length - typedLen);
    const rest = shown.items.filter((s) => s.startsWith(typed) && s.length > typed.length).map((s) => s.slice(typed.length));
    return rest.length ? rest : undefined;
  }

  forget(doc: string): void {
    this.byDoc.delete(doc);
  }
}

/** Length of the text typed since `old` was shown (so that `now` = a tail of `old` + typed), or -1. At most 200. */
function findTyped(old: string, now: string): number {
  for (let d = 0; d <= Math.min(200, now.length); d++) {
    const head = now.slice(0, now.length - d);
    if (head.length === 0 ? old.length === 0 : old.endsWith(head)) return d;
  }
  return -1;
}
