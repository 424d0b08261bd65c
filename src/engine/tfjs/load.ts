/**
 * Loads TF.js: `@tensorflow/tfjs-node` (native TensorFlow) when it is installed, else the portable
 * `@tensorflow/tfjs` (pure-JS cpu backend). TF.js is only needed to write the standard model format and for
 * the reference backends; the engine's own kernels do the training.
 */
import type { TF } from './layersModel';

let cached: Promise<{ tf: TF; backend: string }> | undefined;

export function loadTf(): Promise<{ tf: TF; backend: string }> {
  cached ??= (async () => {
    let tf: TF;
    try {
      // Optional dependency: present only where its native library could be installed.
      tf = require('@tensorflow/tfjs-node') as TF;
    } catch {
      tf = await import('@tensorflow/tfjs');
      // The cpu backend, as in Node: in a browser TF.js would otherwise try WebGL first, which writing the model
      // format does not need (and a web worker may not have).
      await tf.setBackend('cpu');
    }
    // Production mode: no console banners suggesting the native backend (the CLI's output stays clean).
    tf.env().set('PROD', true);
    await tf.ready();
    return { tf, backend: tf.getBackend() };
  })();
  return cached;
}

/** True when `@tensorflow/tfjs-node` can be loaded here. */
export function tfjsNodeAvailable(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}
