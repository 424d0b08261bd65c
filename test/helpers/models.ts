/** Small deterministic models for the model-file tests (format, fuzzing, crash safety). */
import { DEFAULT_TRAIN, type ModelConfig } from '../../src/shared/modelConfig';
import { makeMetadata, type SavedModel } from '../../src/engine/format';
import { initParams, paramLayout, ParamViews, totalSize } from '../../src/engine/params';
import { Vocabulary } from '../../src/engine/vocab';

export function makeModel(opts: {
  text?: string; cell?: ModelConfig['cell']; layers?: number; units?: number; embeddingSize?: number; dropout?: number;
  seed?: number; optimizer?: boolean;
} = {}): SavedModel {
  const vocab = Vocabulary.fromText(opts.text ?? 'Lorem ipsum dolor sit amet, consectetur.');
  const config: ModelConfig = {
    cell: opts.cell ?? 'lstm', layers: opts.layers ?? 2, units: opts.units ?? 12, embeddingSize: opts.embeddingSize ?? 6,
    dropout: opts.dropout ?? 0.1, vocabSize: vocab.size,
  };
  const specs = paramLayout(config);
  const weights = new Float32Array(totalSize(specs));
  initParams(config, new ParamViews(specs, weights), opts.seed ?? 11);
  const model: SavedModel = { config, vocab, weights, meta: makeMetadata(config, vocab, '0.0.0-test') };
  if (opts.optimizer) {
    model.meta.training = {
      config: { ...DEFAULT_TRAIN, minutes: 1 },
      steps: 7, epochs: 0, elapsedSec: 1, charsPerSec: 1, backend: 'js', trainBitsPerChar: 4, validationBitsPerChar: null,
      stopReason: 'test',
    };
    model.optimizer = {
      step: opts.seed ?? 11,
      m: Float32Array.from(weights, (w) => w / 2),
      v: Float32Array.from(weights, (w) => w * w),
    };
  }
  return model;
}

/**
 * Two models of the same shape (so a mix of their files would load) that differ in every file: the
 * vocabulary characters, the weights and the optimiser state. Used by the crash-safety test and its child.
 */
export function crashPair(): [SavedModel, SavedModel] {
  const shape = { layers: 2, units: 96, embeddingSize: 16, dropout: 0, optimizer: true } as const;
  return [
    makeModel({ ...shape, text: 'abcdefghijklmnopqrstuvwxyz .,;', seed: 1 }),
    makeModel({ ...shape, text: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ!?:-', seed: 2 }),
  ];
}

/** Which of `candidates` `m` equals in every part (vocabulary, configuration, weights, optimiser), or -1. */
export function whichModel(m: SavedModel, candidates: readonly SavedModel[]): number {
  const bytes = (a: Float32Array | undefined): Buffer => Buffer.from(a ? a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength) : new ArrayBuffer(0));
  return candidates.findIndex((c) =>
    JSON.stringify(c.vocab.toJSON()) === JSON.stringify(m.vocab.toJSON()) &&
    JSON.stringify(c.config) === JSON.stringify(m.config) &&
    bytes(c.weights).equals(bytes(m.weights)) &&
    (c.optimizer === undefined) === (m.optimizer === undefined) &&
    (!c.optimizer || (c.optimizer.step === m.optimizer!.step && bytes(c.optimizer.m).equals(bytes(m.optimizer!.m)) &&
      bytes(c.optimizer.v).equals(bytes(m.optimizer!.v)))));
}
