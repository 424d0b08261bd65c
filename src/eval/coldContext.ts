/**
 * How much context a cold start needs. When the provider first sees a position in a document it rebuilds the
 * recurrent state from the last `contextChars` characters before the cursor (cost: one model step each); the
 * state that has read the whole file so far is what typing keeps. At sampled positions of held-out files this
 * compares, for several context lengths and against the whole-file state: the bits per character of the next
 * characters, how often the greedy suggestion is right (a non-empty prefix of the real text), and the time to
 * build the state.
 */
import { trimSuggestion } from '../shared/completionRules';
import { generate, prime } from '../engine/generate';
import type { RecurrentState, StepModel } from '../engine/predictor';
import type { Vocabulary } from '../engine/vocab';
import { percentile } from '../shared/percentile';

export interface ColdContextRow {
  /** Characters read for the cold start; 0 = the whole file before the position. */
  contextChars: number;
  /** Mean bits per character of the `scoreChars` characters after each position. */
  bitsPerChar: number;
  /** Fraction of positions where the greedy suggestion is non-empty and a prefix of the real text. */
  suggestionRight: number;
  /** Mean characters of the real text the suggestion gets right (its common prefix with it). */
  meanRightChars: number;
  /** Time to build the state from scratch (ms), median; null for the whole-file state (carried along here). */
  primeMsP50: number | null;
}

export interface ColdContextOptions {
  contexts: number[];
  /** Positions sampled (spread evenly over the files). @default 100 */
  samples?: number;
  /** Characters scored after each position. @default 64 */
  scoreChars?: number;
  /** Longest suggestion, as `inkling.completion.maxChars`. @default 48 */
  maxChars?: number;
}

/** `files`: the held-out documents, each read from its start for the whole-file state. */
export function coldContextStudy<S extends RecurrentState>(
  model: StepModel<S>, vocab: Vocabulary, files: string[], opts: ColdContextOptions,
): ColdContextRow[] {
  const samples = opts.samples ?? 100;
  const scoreChars = opts.scoreChars ?? 64;
  const maxChars = opts.maxChars ?? 48;
  const variants = [...opts.contexts, 0];
  const acc = variants.map(() => ({ bits: 0, chars: 0, right: 0, rightChars: 0, n: 0, ms: [] as number[] }));
  const total = files.reduce((s, f) => s + f.length, 0);
  const stride = Math.max(1, Math.floor(total / samples));
  let offset = 0;
  let next = Math.floor(stride / 2);
  for (const file of files) {
    // Positions in this file (not too close to its end, so there is text to score).
    const positions: number[] = [];
    for (; next < offset + file.length; next += stride) {
      const p = next - offset;
      if (p >= 16 && p + 8 <= file.length) positions.push(p);
    }
    offset += file.length;
    if (positions.length === 0) continue;
    // The whole-file state, carried along the file once (what typing from the top would have).
    let whole: { state: S; probs: Float32Array } | null = null;
    let at = 0;
    for (const p of positions) {
      if (!whole) whole = prime(model, vocab, file.slice(0, p)); // exactly what a cold start from the top reads
      else if (p > at) whole.probs = model.feed(whole.state, vocab.encode(file.slice(at, p)))!.slice();
      at = p;
      const w = whole;
      const truth = file.slice(p, p + scoreChars);
      variants.forEach((n, i) => {
        let state: S;
        let probs: Float32Array;
        const a = acc[i]!;
        if (n === 0) {
          state = model.cloneState(w.state);
          probs = w.probs;
        } else {
          const s0 = performance.now();
          ({ state, probs } = prime(model, vocab, file.slice(Math.max(0, p - n), p)));
          a.ms.push(performance.now() - s0);
        }
        const forSuggestion = model.cloneState(state);
        // Bits of the real continuation.
        let pr = probs;
        for (const ch of truth) {
          a.bits -= Math.log2(Math.max(pr[vocab.idOf(ch)]!, 1e-30));
          a.chars++;
          pr = model.step(state, vocab.idOf(ch));
        }
        const line = file.slice(file.lastIndexOf('\n', p - 1) + 1, p);
        const raw = generate(model, vocab, forSuggestion, probs, { temperature: 0, maxChars, stopBefore: (c) => c === '\n' });
        const suggestion = trimSuggestion(raw, { multiline: false, indent: /^[ \t]*/.exec(line)![0] });
        let common = 0;
        while (common < suggestion.length && suggestion[common] === file[p + common]) common++;
        a.n++;
        a.rightChars += common;
        if (suggestion.length > 0 && common === suggestion.length) a.right++;
      });
    }
  }
  return variants.map((n, i) => {
    const a = acc[i]!;
    return {
      contextChars: n, bitsPerChar: a.chars ? a.bits / a.chars : Number.NaN,
      suggestionRight: a.n ? a.right / a.n : Number.NaN, meanRightChars: a.n ? a.rightChars / a.n : Number.NaN,
      primeMsP50: a.ms.length ? percentile(a.ms, 50) : null,
    };
  });
}
