/**
 * The TF.js LayersModel equivalent to an engine model: Embedding → recurrent layers (Dropout between them
 * when the model uses dropout) → Dense softmax, applied at every time step. Input `[batch, time]` character ids,
 * output `[batch, time, vocab]` probabilities. Weight names match {@link paramLayout}.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { ModelConfig } from '../../shared/modelConfig';
import { paramLayout, rnnLayerName } from '../params';

export type TF = typeof tfTypes;

export function buildLayersModel(tf: TF, c: ModelConfig): tfTypes.Sequential {
  // The weights are always set from the engine's, so TF.js's initialisers only cost time; the LSTM's
  // unit-forget-bias initialiser also leaks intermediate tensors, so it is off (the engine sets that bias).
  const zeros = 'zeros' as const;
  const m = tf.sequential({ name: 'inkling' });
  m.add(tf.layers.embedding({
    inputDim: c.vocabSize, outputDim: c.embeddingSize, inputShape: [null], name: 'embedding', embeddingsInitializer: zeros,
  }));
  for (let l = 0; l < c.layers; l++) {
    const args = {
      units: c.units, returnSequences: true, name: rnnLayerName(l), kernelInitializer: zeros, recurrentInitializer: zeros,
    };
    if (c.cell === 'lstm') m.add(tf.layers.lstm({ ...args, recurrentActivation: 'sigmoid', unitForgetBias: false }));
    else if (c.cell === 'gru') m.add(tf.layers.gru({ ...args, recurrentActivation: 'sigmoid' }));
    else m.add(tf.layers.simpleRNN(args));
    if (c.dropout > 0 && l < c.layers - 1) m.add(tf.layers.dropout({ rate: c.dropout, name: `dropout_${l + 1}` }));
  }
  m.add(tf.layers.dense({ units: c.vocabSize, activation: 'softmax', name: 'output', kernelInitializer: zeros }));
  return m;
}

/** Copies flat engine weights into a TF.js model built by {@link buildLayersModel}. */
export function setLayersModelWeights(tf: TF, model: tfTypes.LayersModel, c: ModelConfig, flat: Float32Array): void {
  const tensors = paramLayout(c).map((s) => tf.tensor(flat.subarray(s.offset, s.offset + s.size), [...s.shape]));
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

/** Model artifacts as TF.js saves them (topology JSON, weight specs and one weight buffer). */
export async function layersModelArtifacts(
  tf: TF, c: ModelConfig, flat: Float32Array,
): Promise<{ modelTopology: object; weightSpecs: tfTypes.io.WeightsManifestEntry[]; weightData: ArrayBuffer; generatedBy?: string }> {
  const model = buildLayersModel(tf, c);
  try {
    setLayersModelWeights(tf, model, c, flat);
    let artifacts: tfTypes.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    if (!artifacts?.modelTopology || !artifacts.weightSpecs || !artifacts.weightData) {
      throw new Error('TF.js returned incomplete model artifacts');
    }
    const data = artifacts.weightData;
    const weightData = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
    return { modelTopology: artifacts.modelTopology as object, weightSpecs: artifacts.weightSpecs, weightData, generatedBy: artifacts.generatedBy };
  } finally {
    model.dispose();
  }
}
