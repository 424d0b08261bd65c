/**
 * Does the trained model earn its place? Scores held-out text the way suggestions are made (one character at a
 * time, the n-gram and match models built from the training text, as the completion worker builds them from the
 * workspace) for the mixture with the LSTM, the LSTM alone and the n-gram/match part alone, in one pass.
 * Used at the end of a training run: a run whose LSTM is worse than the n-gram/match part alone ends with a
 * warning, and the LSTM joins the suggestions only when the mixture beats the n-gram/match part alone.
 */
import { DOCUMENT_SEPARATOR } from '../engine/pipeline';
import type { HeldOutComparison, SavedModel } from '../engine/format';
import type { Kernels } from '../engine/kernels/types';
import { Predictor } from '../engine/predictor';
import { MatchModel, MixedPredictor } from '../mix';
import { scoreMixedSteps } from './mixture';
import { NGramModel } from '../ngram';
import { runNow, type Steps } from '../shared/steps';

export type { HeldOutComparison };

/** The n-gram and match models read at most this much training text (as the completion worker's index). */
const MAX_NGRAM_CHARS = 4 << 20;

/** Scores at most `maxChars` of the held-out texts (joined as training joins them). Null without held-out text. */
export function compareOnHeldOut(
  kernels: Kernels, model: Pick<SavedModel, 'config' | 'vocab' | 'weights'>, trainTexts: readonly string[], heldOut: readonly string[],
  maxChars = 16_384,
): HeldOutComparison | null {
  return runNow(compareOnHeldOutSteps(kernels, model, trainTexts, heldOut, maxChars));
}

/** {@link compareOnHeldOut} as steps (one per training file read, one per character scored). */
export function* compareOnHeldOutSteps(
  kernels: Kernels, model: Pick<SavedModel, 'config' | 'vocab' | 'weights'>, trainTexts: readonly string[], heldOut: readonly string[],
  maxChars = 16_384,
): Steps<HeldOutComparison | null> {
  const text = heldOut.join(DOCUMENT_SEPARATOR).slice(0, maxChars);
  if (text.length === 0) return null;
  const ngram = new NGramModel();
  const match = new MatchModel();
  let read = 0;
  for (const t of trainTexts) {
    if (read + t.length > MAX_NGRAM_CHARS) continue;
    read += t.length;
    ngram.add(t);
    match.addText(t);
    yield;
  }
  const r = yield* scoreMixedSteps(new MixedPredictor(new Predictor(kernels, model.config, model.weights), model.vocab, ngram, undefined, match), text);
  return {
    chars: r.chars, mixedBitsPerChar: r.bitsPerChar, lstmBitsPerChar: r.lstmBitsPerChar, ngramBitsPerChar: r.ngramBitsPerChar,
    unknownChars: r.unknownChars,
  };
}

/** The plain warning for a run whose trained model alone is worse than the n-gram/match model alone, or null. */
export function worseThanNgramWarning(c: HeldOutComparison | null | undefined): string | null {
  if (!c || !(c.lstmBitsPerChar >= c.ngramBitsPerChar)) return null;
  const alone = `the trained model alone (${c.lstmBitsPerChar.toFixed(3)} bits/char on ${c.chars} held-out characters) is worse than ` +
    `the n-gram and match model alone (${c.ngramBitsPerChar.toFixed(3)})`;
  // Said as it is: mixed with them it may still help, and then it is used.
  return suggestsWith(c).source === 'mixed'
    ? `${alone}, but mixed with them it helps (${c.mixedBitsPerChar.toFixed(3)}), so it joins the suggestions; training longer or on more text would make it count for more`
    : `${alone} and does not help mixed with them (${c.mixedBitsPerChar.toFixed(3)}), so suggestions come from the n-gram and match model; train longer or on more text`;
}

/**
 * Which model suggests once this one is loaded: the mixture with it only when, on the held-out files, the mixture
 * scores better than the n-gram/match model alone (measured at the end of its training run); else the n-gram/match
 * model alone. A model without that measurement (older, or imported from an older Inkling) is mixed in, as before.
 */
export function suggestsWith(heldOut: HeldOutComparison | null | undefined): { source: 'mixed' | 'ngram'; why: string } {
  if (!heldOut || !Number.isFinite(heldOut.mixedBitsPerChar) || !Number.isFinite(heldOut.ngramBitsPerChar)) {
    return { source: 'mixed', why: 'the trained model mixed with the n-gram/match model (no held-out comparison was recorded for this model)' };
  }
  const figures = `${heldOut.mixedBitsPerChar.toFixed(3)} bits/char with the trained model, ${heldOut.ngramBitsPerChar.toFixed(3)} without it, on ${heldOut.chars} held-out characters`;
  return heldOut.mixedBitsPerChar < heldOut.ngramBitsPerChar
    ? { source: 'mixed', why: `the trained model mixed with the n-gram/match model: it helps (${figures})` }
    : { source: 'ngram', why: `the n-gram/match model alone: the trained model does not help yet (${figures})` };
}
