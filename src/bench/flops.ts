/** Floating-point work of the model, for turning characters per second into effective GFLOP/s. */
import { gatesOf, type ModelConfig } from '../shared/modelConfig';

/** Multiply-adds ×2 of one forward step per character (embedding lookups are free). */
export function forwardFlopsPerChar(c: ModelConfig): number {
  const g = gatesOf(c.cell) * c.units;
  let f = 0;
  for (let l = 0; l < c.layers; l++) f += 2 * ((l === 0 ? c.embeddingSize : c.units) + c.units) * g;
  return f + 2 * c.units * c.vocabSize;
}

/** Training costs about three forward passes: the forward, and two products per weight matrix backward. */
export function trainFlopsPerChar(c: ModelConfig): number {
  return 3 * forwardFlopsPerChar(c);
}

/**
 * Floating-point work of the matrix products in each phase of one training step of `B × T` characters
 * (see engine/phases.ts); phases without products are absent.
 */
export function phaseFlops(c: ModelConfig, B: number, T: number): Partial<Record<string, number>> {
  const N = B * T;
  const G = gatesOf(c.cell) * c.units;
  const H = c.units;
  let input = 0;
  for (let l = 0; l < c.layers; l++) input += 3 * 2 * N * (l === 0 ? c.embeddingSize : H) * G;
  const rec = c.layers * 2 * N * H * G;
  return {
    'input products': input,
    'recurrent fwd': rec,
    'recurrent bwd': rec,
    'recurrent weight grads': rec,
    'output products': 3 * 2 * N * H * c.vocabSize,
  };
}
