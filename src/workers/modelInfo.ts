/** The summary of a loaded model that workers send to the host (dashboard, status bar, commands). */
import { parameterCount } from '../shared/modelConfig';
import type { SavedModel } from '../engine/format';
import { suggestsWith } from '../eval/heldOutComparison';
import type { ModelInfo } from '../shared/protocol';

export { suggestsWith };

export function modelInfo(model: SavedModel, kernels: string): ModelInfo {
  const heldOut = model.meta.training?.heldOut ?? null;
  return {
    config: model.config, parameters: parameterCount(model.config),
    validationBitsPerChar: model.meta.training?.validationBitsPerChar ?? null,
    trainedSteps: model.meta.training?.steps ?? 0,
    trainedSec: model.meta.training?.totalSec ?? model.meta.training?.elapsedSec ?? 0, createdAt: model.meta.createdAt, kernels,
    validationUnknownChars: model.meta.training?.validationUnknownChars ?? null,
    heldOut, suggests: suggestsWith(heldOut),
  };
}
