// Reference computations with stock TF.js layers, for checking the engine against TF.js.
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../src/shared/modelConfig';
import { buildLayersModel, setLayersModelWeights } from '../../src/engine/tfjs/layersModel';

/** Time-major [T·B] ids → batch-major [B, T] tensor data. */
export function toBatchMajor(ids: Int32Array, B: number, T: number): Int32Array {
  const out = new Int32Array(B * T);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out[b * T + t] = ids[t * B + b]!;
  return out;
}

/** Mean cross-entropy (nats) and its gradient for every weight, computed by TF.js on the layers model. */
export function tfLossAndGrads(
  c: ModelConfig, weights: Float32Array, ids: Int32Array, targets: Int32Array, B: number, T: number,
): { loss: number; grads: Float32Array[] } {
  const model = buildLayersModel(tf, { ...c, dropout: 0 });
  setLayersModelWeights(tf, model, { ...c, dropout: 0 }, weights);
  try {
    const x = tf.tensor2d(toBatchMajor(ids, B, T), [B, T], 'int32');
    const y = tf.oneHot(tf.tensor1d(toBatchMajor(targets, B, T), 'int32'), c.vocabSize).reshape([B, T, c.vocabSize]);
    const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const { value, grads } = tf.variableGrads(() => {
      const p = model.apply(x, { training: false }) as tf.Tensor;
      return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(p)), -1))) as tf.Scalar;
    }, vars);
    const out = {
      loss: value.dataSync()[0]!,
      grads: vars.map((v) => grads[v.name]!.dataSync() as Float32Array),
    };
    tf.dispose([x, y, value, ...Object.values(grads)]);
    return out;
  } finally {
    model.dispose();
  }
}

/** Next-character distributions [B, T, V] from TF.js for batch-major input. */
export function tfPredict(c: ModelConfig, weights: Float32Array, ids: Int32Array, B: number, T: number): Float32Array {
  const model = buildLayersModel(tf, c);
  setLayersModelWeights(tf, model, c, weights);
  try {
    return tf.tidy(() => (model.predict(tf.tensor2d(ids, [B, T], 'int32')) as tf.Tensor).dataSync() as Float32Array);
  } finally {
    model.dispose();
  }
}

export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  let d = 0;
  for (let i = 0; i < b.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d / scale;
}
