/** The summary of a loaded model that workers send to the host (dashboard, status bar, commands). */
import { parameterCount } from '../shared/modelConfig';
import type { SavedModel } from '../engine/format';
import type { ModelInfo } from '../shared/protocol';

export function modelInfo(model: SavedModel, kernels: string): ModelInfo {
  return {
    config: model.config, parameters: parameterCount(model.config),
    validationBitsPerChar: model.meta.training?.validationBitsPerChar ?? null,
    trainedSteps: model.meta.training?.steps ?? 0, createdAt: model.meta.createdAt, kernels,
  };
}
