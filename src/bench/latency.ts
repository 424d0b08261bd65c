/**
 * Completion latency as the provider sees it inside the completion worker: a 40-character greedy suggestion
 * from a document whose state is cached (typing: one new character) or rebuilt from the context (cold).
 */
import { DocumentStates } from '../completion/stateCache';
import type { ModelConfig } from '../engine/config';
import { generate } from '../engine/generate';
import type { Kernels } from '../engine/kernels/types';
import { initParams, paramLayout, ParamViews, totalSize } from '../engine/params';
import { Predictor } from '../engine/predictor';
import { Vocabulary } from '../engine/vocab';
import { percentile } from './stats';

export interface LatencyResult {
  typing: { p50: number; p95: number };
  cold: { p50: number; p95: number };
  contextChars: number;
  suggestionChars: number;
  samples: number;
  /** Whether the predictor ran on int8 weights (the product's default when the kernels support it). */
  quantized: boolean;
}

export function benchLatency(kernels: Kernels, c: ModelConfig, text: string, contextChars: number, samples: number): LatencyResult {
  const vocab = Vocabulary.fromText(text);
  const config = { ...c, vocabSize: vocab.size };
  const weights = new Float32Array(totalSize(paramLayout(config)));
  initParams(config, new ParamViews(paramLayout(config), weights), 1);
  const predictor = new Predictor(kernels, config, weights);
  const suggest = (states: DocumentStates, doc: string, context: string): void => {
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
  const r = (xs: number[]) => ({ p50: round(percentile(xs, 50)), p95: round(percentile(xs, 95)) });
  return { typing: r(typing), cold: r(cold), contextChars, suggestionChars: 40, samples, quantized: predictor.quantized };
}

function round(x: number): number {
  return Number(x.toFixed(2));
}
