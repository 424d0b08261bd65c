/** Text generation on top of the predictor: continue a state by up to `maxChars` characters. */
import type { RecurrentState, StepModel } from './predictor';
import { pick, type SamplingOptions } from './sampling';
import type { Vocabulary } from './vocab';

export interface GenerateOptions extends SamplingOptions {
  maxChars: number;
  /** Stop before emitting a character for which this returns true (e.g. a newline). */
  stopBefore?: (ch: string, soFar: string) => boolean;
}

/**
 * Generates a continuation. `probs` is the distribution after the context already fed into `state`;
 * the state is advanced past every emitted character (clone it first to keep the original).
 */
export function generate<S extends RecurrentState>(
  predictor: StepModel<S>, vocab: Vocabulary, state: S, probs: Float32Array, opts: GenerateOptions,
): string {
  let out = '';
  let p = probs;
  for (let i = 0; i < opts.maxChars; i++) {
    const id = pick(p, opts);
    const ch = vocab.charOf(id);
    if (opts.stopBefore?.(ch, out)) break;
    out += ch;
    if (i + 1 < opts.maxChars) p = predictor.step(state, id);
  }
  return out;
}

/** Feeds `context` into a fresh state and returns the state with the distribution that follows it. */
export function prime<S extends RecurrentState>(predictor: StepModel<S>, vocab: Vocabulary, context: string): { state: S; probs: Float32Array } {
  const state = predictor.newState();
  const ids = vocab.encode(context);
  const probs = predictor.feed(state, ids) ?? predictor.step(state, vocab.idOf('\n'));
  return { state, probs: probs.slice() };
}
