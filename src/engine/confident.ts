/**
 * Ghost text as long as the model is sure of it. The greedy continuation is generated with, after each
 * character, the model's estimate that everything so far is right: the product of the probabilities of the
 * characters chosen (each the mixture's calibrated probability of its most likely character, see `src/mix`).
 * What is shown is its longest prefix that ends at a token boundary with that estimate at or above the
 * confidence threshold; nothing when not even the first token is that likely. Pure (no vscode, no I/O).
 */
import type { RecurrentState, StepModel } from './predictor';
import type { Rng } from './rng';
import { pick } from './sampling';
import type { Vocabulary } from './vocab';
import { codeOnlyLength, inCommentOrString } from '../shared/completionRules';

export interface Continuation {
  /** The greedy continuation (up to the length cap or the end of the line). */
  text: string;
  /** confidence[i]: the estimated probability that text[0..i] (i + 1 characters) is all right. */
  confidence: number[];
  /** The continuation ended because the line ended (its end is a token boundary), not at the length cap. */
  lineEnded: boolean;
}

const WORD = /[\p{L}\p{N}_$]/u;

function isWord(ch: string | undefined): boolean {
  return ch !== undefined && WORD.test(ch);
}

/** Greedy (or sampled) continuation with per-prefix confidence; advances `state` (clone it first to keep the original). */
export function continueWithConfidence<S extends RecurrentState>(
  predictor: StepModel<S>, vocab: Vocabulary, state: S, probs: Float32Array,
  opts: { maxChars: number; stopBefore?: (ch: string) => boolean; minConfidence?: number; temperature?: number; rng?: Rng },
): Continuation {
  let text = '';
  const confidence: number[] = [];
  let p = probs;
  let c = 1;
  // Below this the continuation cannot be shown at any threshold of interest: stop generating early.
  const floor = opts.minConfidence ?? 0;
  for (let i = 0; i < opts.maxChars; i++) {
    // Greedy by default; a sampled alternative's confidence is the product of the probabilities of what it chose.
    const id = pick(p, { temperature: opts.temperature ?? 0, rng: opts.rng });
    const ch = vocab.charOf(id);
    if (opts.stopBefore?.(ch)) return { text, confidence, lineEnded: true };
    c *= p[id]!;
    text += ch;
    confidence.push(c);
    if (c < floor) break;
    if (i + 1 < opts.maxChars) p = predictor.step(state, id);
  }
  return { text, confidence, lineEnded: false };
}

/**
 * The length of the longest prefix of `c.text` that ends at a token boundary (not between two word
 * characters; the end of the line is one) and whose confidence is at least `threshold`; 0 if none. At threshold
 * 0, all of it.
 * Trailing white space is not counted (the editor would not show it).
 */
export function confidentLength(c: Continuation, threshold: number): number {
  const t = c.text;
  // At 0 everything is shown, as far as the length cap.
  if (!(threshold > 0)) return t.replace(/[ \t]+$/, '').length;
  for (let n = t.length; n >= 1; n--) {
    if (c.confidence[n - 1]! < threshold) continue;
    const atEnd = n === t.length;
    const boundary = atEnd ? c.lineEnded || !isWord(t[n - 1]) : !(isWord(t[n - 1]) && isWord(t[n]));
    if (!boundary) continue;
    let m = n;
    while (m > 0 && (t[m - 1] === ' ' || t[m - 1] === '\t')) m--;
    if (m > 0) return m;
  }
  return 0;
}

/** The part of a continuation shown at `threshold`, and the model's estimate that it is all right. */
export function confidentText(c: Continuation, threshold: number): { text: string; confidence: number } {
  const n = confidentLength(c, threshold);
  return { text: c.text.slice(0, n), confidence: n > 0 ? c.confidence[n - 1]! : 0 };
}

/**
 * The continuation as the completion worker generates it at `threshold` (see {@link continueWithConfidence}'s
 * `minConfidence`): up to and including its first character whose confidence is below the threshold (nothing after
 * that could be shown). A full continuation cut here gives exactly what the worker would have generated.
 */
export function upToThreshold(c: Continuation, threshold: number): Continuation {
  if (!(threshold > 0)) return c;
  const i = c.confidence.findIndex((x) => x < threshold);
  if (i < 0) return c;
  return { text: c.text.slice(0, i + 1), confidence: c.confidence.slice(0, i + 1), lineEnded: false };
}

/**
 * The ghost text the editor shows from a continuation at `threshold`, with `linePrefix` the line before the cursor:
 * the continuation as generated at that threshold ({@link upToThreshold}), cut where code turns into prose
 * ({@link forCursor}), then at its last token boundary that is sure enough ({@link confidentText}). The completion
 * worker and the evaluation both show this, so the editor and `inkling eval` agree at every threshold.
 */
export function shownText(c: Continuation, threshold: number, linePrefix: string, languageId: string): { text: string; confidence: number } {
  return confidentText(forCursor(upToThreshold(c, threshold), linePrefix, languageId), threshold);
}

/**
 * The continuation as far as it may go at the cursor: in code (not in a comment or string, judged from the line
 * before the cursor), it stops where it turns into prose or opens a comment (see `codeOnlyLength`).
 */
export function forCursor(c: Continuation, linePrefix: string, languageId: string): Continuation {
  if (inCommentOrString(linePrefix, languageId)) return c;
  const n = codeOnlyLength(c.text, languageId);
  if (n >= c.text.length) return c;
  // The cut is a token boundary, like the end of a line.
  return { text: c.text.slice(0, n), confidence: c.confidence.slice(0, n), lineEnded: true };
}
