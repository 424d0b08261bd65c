/** The summary of a loaded model that workers send to the host (dashboard, status bar, commands). */
import { parameterCount } from '../shared/modelConfig';
import type { HeldOutComparison, SavedModel } from '../engine/format';
import type { ModelInfo } from '../shared/protocol';

export function modelInfo(model: SavedModel, kernels: string): ModelInfo {
  const heldOut = model.meta.training?.heldOut ?? null;
  return {
    config: model.config, parameters: parameterCount(model.config),
    validationBitsPerChar: model.meta.training?.validationBitsPerChar ?? null,
    trainedSteps: model.meta.training?.steps ?? 0, createdAt: model.meta.createdAt, kernels,
    validationUnknownChars: model.meta.training?.validationUnknownChars ?? null,
    heldOut, suggests: suggestsWith(heldOut),
  };
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
