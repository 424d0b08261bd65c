/**
 * From text to a trained, saveable model: vocabulary, token streams, training, metadata. Shared by the CLI
 * and the extension's training worker so both train exactly the same way.
 */
import { resolveModelConfig, resolveTrainConfig, type ModelConfig, type TrainConfig } from '../shared/modelConfig';
import { makeMetadata, type CorpusSummary, type SavedModel } from './format';
import type { Kernels } from './kernels/types';
import { train, type TrainProgress } from './trainer';
import { Vocabulary } from './vocab';
import { VERSION } from './version';

/** Separates documents in the training stream. */
export const DOCUMENT_SEPARATOR = '\n\n';

export interface TextSplit {
  train: string[];
  validation: string[];
}

export interface TrainTextInput {
  kernels: Kernels;
  texts: TextSplit;
  model?: Partial<ModelConfig>;
  train?: Partial<TrainConfig>;
  /** Continue from this model (its vocabulary and shape are kept; `model` overrides are ignored). */
  resume?: SavedModel;
  corpus?: Omit<CorpusSummary, 'trainChars' | 'validationChars' | 'validationFiles'>;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  onBest?: (model: SavedModel, p: TrainProgress) => void | Promise<void>;
  /** Milliseconds to wait before the next step (e.g. while the user types); see the trainer's `pauseMs`. */
  pauseMs?: () => number;
}

export async function trainOnText(input: TrainTextInput): Promise<SavedModel & { progress: TrainProgress; stopReason: string }> {
  const trainCfg = resolveTrainConfig(input.train);
  const trainText = input.texts.train.join(DOCUMENT_SEPARATOR);
  const validationText = input.texts.validation.join(DOCUMENT_SEPARATOR);
  const vocab = input.resume?.vocab ?? Vocabulary.fromText(trainText);
  const config = input.resume?.config ?? resolveModelConfig(input.model ?? {}, vocab.size);
  const corpus: CorpusSummary | undefined = input.corpus && {
    ...input.corpus, trainChars: trainText.length, validationChars: validationText.length,
    validationFiles: input.texts.validation.length,
  };
  const meta = (p: TrainProgress, stopReason: string, step: number) => makeMetadata(config, vocab, VERSION, {
    corpus,
    training: {
      config: trainCfg, steps: p.step, epochs: p.epoch, elapsedSec: p.elapsedSec, charsPerSec: p.charsPerSec,
      backend: input.kernels.name, trainBitsPerChar: p.trainBits,
      validationBitsPerChar: Number.isFinite(p.bestValBits) ? p.bestValBits : null, stopReason, optimizerStep: step,
    },
  });
  const result = await train({
    kernels: input.kernels, model: config, train: trainCfg,
    trainTokens: vocab.encode(trainText), validationTokens: vocab.encode(validationText),
    initialWeights: input.resume?.weights, optimizerState: input.resume?.optimizer,
    signal: input.signal, onProgress: input.onProgress, pauseMs: input.pauseMs,
    onBest: input.onBest && ((weights, p) => input.onBest!({ config, vocab, weights, meta: meta(p, 'checkpoint', p.step) }, p)),
  });
  return {
    config, vocab, weights: result.bestWeights, optimizer: result.optimizerState,
    meta: meta(result.progress, result.stopReason, result.optimizerState.step),
    progress: result.progress, stopReason: result.stopReason,
  };
}
