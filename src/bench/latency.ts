/**
 * Completion latency as the provider sees it inside the completion worker: a 40-character greedy suggestion
 * from a document whose state is cached (typing: one new character) or rebuilt from the context (cold).
 */
import { DocumentStates } from '../engine/stateCache';
import type { ModelConfig } from '../shared/modelConfig';
import { generate } from '../engine/generate';
import type { Kernels } from '../engine/kernels/types';
import { initParams, paramLayout, ParamViews, totalSize } from '../engine/params';
import { Predictor, REHEARSE_CHARS, type RecurrentState, type StepModel } from '../engine/predictor';
import { MatchModel, MixedPredictor } from '../mix';
import { NGramModel } from '../ngram';
import { Vocabulary } from '../engine/vocab';
import { percentile } from '../shared/percentile';

/** Milliseconds per suggestion: median, 90th and 95th percentile. */
export interface LatencySpread { p50: number; p90: number; p95: number }

export interface LatencyResult {
  /** The product's path: the LSTM mixed with the n-gram and match models (`inkling.completion.ngram`, the default). */
  typing: LatencySpread;
  cold: LatencySpread;
  /** The LSTM alone (`inkling.completion.ngram: false`). */
  lstmOnly: { typing: LatencySpread; cold: LatencySpread };
  contextChars: number;
  suggestionChars: number;
  samples: number;
  /** Whether the predictor ran on int8 weights (the product's default when the kernels support it). */
  quantized: boolean;
  /**
   * Rehearsal at a pause (Predictor.rehearse on the last REHEARSE_CHARS characters): the whole of one, and one
   * of its slices (a BPTT window, or the last one, which puts the new weights in place): a completion request
   * arriving during a rehearsal waits for one slice at most.
   */
  rehearsal: { ms: LatencySpread; windowMs: LatencySpread; windows: number; samples: number };
}

/**
 * Latency of a model with random weights of the given shape over `text` (whose characters make the vocabulary;
 * the n-gram and match models of the mixed path are built from it, as the extension builds them from the
 * workspace).
 */
export function benchLatency(kernels: Kernels, c: ModelConfig, text: string, contextChars: number, samples: number): LatencyResult {
  const vocab = Vocabulary.fromText(text);
  const config = { ...c, vocabSize: vocab.size };
  const weights = new Float32Array(totalSize(paramLayout(config)));
  initParams(config, new ParamViews(paramLayout(config), weights), 1);
  const predictor = new Predictor(kernels, config, weights);
  const ngram = new NGramModel();
  ngram.add(text);
  const match = new MatchModel();
  match.addText(text);
  const mixed = new MixedPredictor(predictor, vocab, ngram, undefined, match);
  const lstmOnly = measure(predictor, vocab, text, contextChars, samples);
  const product = measure(mixed, vocab, text, contextChars, samples);
  const rehearsal = measureRehearsal(predictor, vocab, text, Math.max(5, Math.floor(samples / 20)));
  return { ...product, lstmOnly, contextChars, suggestionChars: 40, samples, quantized: predictor.quantized, rehearsal };
}

function measureRehearsal(predictor: Predictor, vocab: Vocabulary, text: string, samples: number): LatencyResult['rehearsal'] {
  const ids = vocab.encode(text);
  const whole: number[] = [];
  const windows: number[] = [];
  let count = 0;
  for (let i = 0; i < samples; i++) {
    const from = (i * 4099) % Math.max(1, ids.length - REHEARSE_CHARS - 1);
    const recent = ids.subarray(from, from + REHEARSE_CHARS + 1);
    const steps = predictor.rehearseSteps(recent);
    const t0 = performance.now();
    count = 0;
    // One slice per window, and a last one that puts the new weights in place (input table, int8 weights).
    for (;;) {
      const t = performance.now();
      const r = steps.next();
      windows.push(performance.now() - t);
      if (r.done) break;
      count++;
    }
    whole.push(performance.now() - t0);
  }
  return { ms: spread(whole), windowMs: spread(windows), windows: count, samples };
}

function measure<S extends RecurrentState>(
  predictor: StepModel<S>, vocab: Vocabulary, text: string, contextChars: number, samples: number,
): { typing: LatencySpread; cold: LatencySpread } {
  const suggest = (states: DocumentStates<S>, doc: string, context: string): void => {
    const p = states.prepare(doc, context);
    generate(predictor, vocab, p.state, p.probs, { temperature: 0, maxChars: 40 });
  };
  const typing: number[] = [];
  const cold: number[] = [];
  const states = new DocumentStates(predictor, vocab);
  const start = contextChars + 10;
  suggest(states, 'typing', text.slice(start - contextChars, start));
  for (let i = 0; i < samples; i++) {
    const end = start + 1 + i;
    const t0 = performance.now();
    suggest(states, 'typing', text.slice(end - contextChars, end));
    typing.push(performance.now() - t0);
  }
  for (let i = 0; i < Math.max(10, Math.floor(samples / 5)); i++) {
    const end = start + 997 * (i + 1) % Math.max(1, text.length - start);
    const t0 = performance.now();
    suggest(new DocumentStates(predictor, vocab), `cold${i}`, text.slice(Math.max(0, end - contextChars), end));
    cold.push(performance.now() - t0);
  }
  return { typing: spread(typing), cold: spread(cold) };
}

function spread(xs: number[]): LatencySpread {
  return { p50: round(percentile(xs, 50)), p90: round(percentile(xs, 90)), p95: round(percentile(xs, 95)) };
}

function round(x: number): number {
  return Number(x.toFixed(2));
}
