/**
 * From text to a trained, saveable model: vocabulary, token streams, training, metadata. Shared by the CLI
 * and the extension's training worker so both train exactly the same way.
 */
import { resolveModelConfig, resolveTrainConfig, type ModelConfig, type TrainConfig } from '../shared/modelConfig';
import { makeMetadata, type CorpusSummary, type SavedModel } from './format';
import type { Kernels } from './kernels/types';
import { train, type TrainNotice, type TrainProgress, type TrainResult } from './trainer';
import { Vocabulary } from './vocab';
import { VERSION } from './version';
import { nextTurn } from '../shared/platform';

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
  /** Rollbacks after a divergence and the like: for the run's log. */
  onNotice?: (n: TrainNotice) => void;
  /** See the trainer's `progressIntervalMs`. */
  progressIntervalMs?: number;
}

/** What {@link trainOnText} returns: the model record of the best weights, and how the run went. */
export type TrainTextResult = SavedModel & {
  progress: TrainProgress; stopReason: string;
  /** False when the run never beat the figure the resumed model had on the same held-out text at the start. */
  improved: boolean;
  /** The resumed model's figure on this held-out text before the first step (null for a new model). */
  initialBitsPerChar: number | null;
  rollbacks: number;
};

/**
 * The vocabulary of a new model, from its training documents: the characters used in at least two documents
 * (with fewer than four documents, those seen at least twice). The rest, a symbol only one file uses, train the
 * unknown id, so a held-out file's own symbols, which no vocabulary built from training text can know, are scored
 * by an id the model has learned something about instead of one it has driven towards probability zero.
 */
export function vocabularyFor(trainTexts: readonly string[]): Vocabulary {
  return trainTexts.length >= 4 ? Vocabulary.fromText(trainTexts, { minDocuments: 2 }) : Vocabulary.fromText(trainTexts, { minCount: 2 });
}

export async function trainOnText(input: TrainTextInput): Promise<TrainTextResult> {
  const trainCfg = resolveTrainConfig(input.train);
  const trainText = input.texts.train.join(DOCUMENT_SEPARATOR);
  const validationText = input.texts.validation.join(DOCUMENT_SEPARATOR);
  const vocab = input.resume?.vocab ?? vocabularyFor(input.texts.train);
  // A turn between the setup's long pieces (a workspace's megabytes are counted, then encoded), as between steps.
  await nextTurn();
  const trainTokens = vocab.encode(trainText);
  await nextTurn();
  const validationTokens = vocab.encode(validationText);
  await nextTurn();
  const config = input.resume?.config ?? resolveModelConfig(input.model ?? {}, vocab.size);
  const corpus: CorpusSummary | undefined = input.corpus && {
    ...input.corpus, trainChars: trainText.length, validationChars: validationText.length,
    validationFiles: input.texts.validation.length,
  };
  const before = input.resume?.meta.training;
  const meta = (p: TrainProgress, stopReason: string, step: number, scheduleAt: number, unknown: number | undefined) => makeMetadata(config, vocab, VERSION, {
    corpus,
    training: {
      config: trainCfg, steps: p.step + (input.resume ? (before?.steps ?? 0) : 0), epochs: p.epoch, elapsedSec: p.elapsedSec,
      totalSec: p.elapsedSec + (input.resume ? (before?.totalSec ?? before?.elapsedSec ?? 0) : 0),
      charsPerSec: p.charsPerSec, backend: input.kernels.name, trainBitsPerChar: p.trainBits,
      validationBitsPerChar: Number.isFinite(p.bestValBits) ? p.bestValBits : null, stopReason, optimizerStep: step,
      validationUnknownChars: unknown, scheduleAt,
    },
  });
  // A resumed model continues its schedule: where it stood, or (an older record) at its end when it has Adam's
  // moments, so a resume never starts at the peak rate again.
  const scheduleStart = input.resume ? (before?.scheduleAt ?? (input.resume.optimizer ? 1 : 0)) : 0;
  const result = await train({
    kernels: input.kernels, model: config, train: trainCfg,
    trainTokens, validationTokens,
    initialWeights: input.resume?.weights, optimizerState: input.resume?.optimizer, scheduleStart,
    signal: input.signal, onProgress: input.onProgress, pauseMs: input.pauseMs, onNotice: input.onNotice, progressIntervalMs: input.progressIntervalMs,
    onBest: input.onBest && ((weights, p, optimizer, at) => input.onBest!({
      config, vocab, weights, optimizer, meta: meta(p, 'checkpoint', optimizer.step, at, p.valUnknownChars),
    }, p)),
  });
  return {
    config, vocab, weights: result.bestWeights, optimizer: result.optimizerState,
    meta: meta(result.progress, result.stopReason, result.optimizerState.step, result.scheduleAt, result.best?.unknownChars),
    progress: result.progress, stopReason: result.stopReason, improved: result.improved,
    initialBitsPerChar: initialFigure(result), rollbacks: result.rollbacks,
  };
}

function initialFigure(r: TrainResult): number | null {
  return r.initial && Number.isFinite(r.initial.bitsPerChar) ? r.initial.bitsPerChar : null;
}
