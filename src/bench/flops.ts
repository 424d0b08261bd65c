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
