/** Character n-gram language model: instant completions, the baseline the LSTM must beat, and a mixing partner. */
export { NGramModel, DEFAULT_ORDER, DEFAULT_MAX_CONTEXTS } from './model';
export type { NGramOptions, Prediction, AddOptions, BitsOptions } from './model';
export type { Smoothing } from './smoothing';
export type { NGramJSON } from './serialize';
export { NGRAM_FORMAT, NGRAM_VERSION } from './serialize';
