/** The engine's public surface: everything the CLI, the workers and the tests use. No `vscode` here. */
export * from '../shared/modelConfig';
export { Vocabulary, VocabularyError, UNKNOWN_ID, UNKNOWN_CHAR } from './vocab';
export { Rng } from './rng';
export { Network } from './network';
export { Predictor, type PredictorOptions, type RecurrentState } from './predictor';
export { pick, type SamplingOptions } from './sampling';
export { generate, prime, type GenerateOptions } from './generate';
export { train, createValidator, CorpusTooSmallError, type TrainProgress, type TrainResult } from './trainer';
export { trainOnText, DOCUMENT_SEPARATOR, type TextSplit, type TrainTextInput } from './pipeline';
export {
  saveModel, loadModel, makeMetadata, parseMetadata, ModelFormatError, FORMAT_VERSION,
  type SavedModel, type ModelMetadata, type TrainingSummary, type CorpusSummary,
} from './format';
export type { Kernels } from './kernels/types';
export { VERSION } from './version';
