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
