/** Local acceptance figures: what was shown and what the user kept. Stored in workspace state; never sent anywhere. */
export interface AcceptanceStats {
  shown: number;
  acceptedFull: number;
  acceptedPartial: number;
  /** Characters inserted by accepting suggestions (full or partial). */
  charsAccepted: number;
}

export function emptyStats(): AcceptanceStats {
  return { shown: 0, acceptedFull: 0, acceptedPartial: 0, charsAccepted: 0 };
}

/** Accepts only a well-formed stats object (e.g. from storage); anything else starts from zero. */
export function reviveStats(raw: unknown): AcceptanceStats {
  const r = raw as Partial<AcceptanceStats> | undefined;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  return r && ok(r.shown) && ok(r.acceptedFull) && ok(r.acceptedPartial) && ok(r.charsAccepted)
    ? { shown: r.shown, acceptedFull: r.acceptedFull, acceptedPartial: r.acceptedPartial, charsAccepted: r.charsAccepted }
    : emptyStats();
}

/**
 * Recognises a partial accept (VS Code's accept-word / accept-line) from document changes, since the
 * partial-accept callback is proposed API: an insertion of two or more characters at the position of the last
 * suggestion shown in that document, equal to a proper prefix of it. Single typed characters never count.
 */
export class PartialAcceptDetector {
  private readonly last = new Map<string, { offset: number; text: string }>();

  shown(doc: string, offset: number, text: string): void {
    this.last.set(doc, { offset, text });
    if (this.last.size > 64) this.last.delete(this.last.keys().next().value!);
  }

  /** Returns the accepted length when the change is a partial accept, else 0. Consumes what was accepted. */
  change(doc: string, offset: number, removed: number, inserted: string): number {
    const s = this.last.get(doc);
    if (!s || removed !== 0 || offset !== s.offset || inserted.length < 2 || inserted.length >= s.text.length) return 0;
    if (!s.text.startsWith(inserted)) return 0;
    this.last.set(doc, { offset: offset + inserted.length, text: s.text.slice(inserted.length) });
    return inserted.length;
  }

  forget(doc: string): void {
    this.last.delete(doc);
  }
}
