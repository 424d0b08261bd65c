/**
 * Completion worker (a worker_threads thread): holds the trained model and the per-document recurrent states,
 * and answers completion and sample requests, so the extension host's thread never runs the model.
 */
import { parentPort } from 'node:worker_threads';
import { loadModel, type SavedModel } from '../engine/format';
import { generate, prime } from '../engine/generate';
import { createKernels, type Kernels } from '../engine/kernels';
import { Predictor } from '../engine/predictor';
import { Rng } from '../engine/rng';
import { modelInfo } from '../shared/modelInfo';
import type { CompletionRequest, CompletionResponse, ModelInfo } from '../shared/protocol';
import { DocumentStates } from './stateCache';

interface Loaded {
  model: SavedModel;
  predictor: Predictor;
  states: DocumentStates;
  kernels: Kernels;
}

let loaded: Loaded | null = null;
const port = parentPort!;

function reply(msg: CompletionResponse): void {
  port.postMessage(msg);
}

async function load(modelDir: string): Promise<ModelInfo> {
  const model = await loadModel(modelDir);
  // One thread: batch-1 steps are too small to split, and training owns the other core.
  const { kernels } = await createKernels({ threads: 1 });
  const predictor = new Predictor(kernels, model.config, model.weights);
  loaded?.kernels.dispose();
  loaded = { model, predictor, kernels, states: new DocumentStates(predictor, model.vocab) };
  return modelInfo(model, kernels.name);
}

function complete(req: Extract<CompletionRequest, { type: 'complete' }>): CompletionResponse {
  if (!loaded) return { type: 'completion', id: req.id, items: [], ms: 0, cold: false, fed: 0 };
  const t0 = performance.now();
  const { predictor, model, states } = loaded;
  const prepared = states.prepare(req.doc, req.context, req.context.length < 1 || req.wholePrefix);
  const stopBefore = req.stopAtNewline ? (ch: string) => ch === '\n' : undefined;
  const items: string[] = [];
  const rng = new Rng(req.seed);
  for (let i = 0; i < Math.max(1, req.alternatives); i++) {
    const state = i === 0 ? prepared.state : predictor.cloneState(prepared.state);
    // The first item uses the user's temperature (greedy at 0); alternatives need some randomness to differ.
    const temperature = i === 0 ? req.temperature : Math.max(0.6, req.temperature);
    const text = generate(predictor, model.vocab, state, prepared.probs, { temperature, rng, maxChars: req.maxChars, stopBefore });
    if (!items.includes(text)) items.push(text);
  }
  return { type: 'completion', id: req.id, items, ms: performance.now() - t0, cold: prepared.cold, fed: prepared.fed };
}

function sample(req: Extract<CompletionRequest, { type: 'sample' }>): CompletionResponse {
  if (!loaded) return { type: 'sample', id: req.id, text: '' };
  const { predictor, model } = loaded;
  const { state, probs } = prime(predictor, model.vocab, req.prompt);
  const text = generate(predictor, model.vocab, state, probs, {
    temperature: req.temperature, rng: new Rng(req.seed), maxChars: req.maxChars,
  });
  return { type: 'sample', id: req.id, text };
}

port.on('message', (req: CompletionRequest) => {
  void (async () => {
    try {
      switch (req.type) {
        case 'load': reply({ type: 'loaded', id: req.id, model: await load(req.modelDir) }); break;
        case 'unload':
          loaded?.kernels.dispose();
          loaded = null;
          reply({ type: 'unloaded', id: req.id });
          break;
        case 'complete': reply(complete(req)); break;
        case 'sample': reply(sample(req)); break;
        case 'forget': loaded?.states.forget(req.doc); break;
      }
    } catch (e) {
      if ('id' in req) reply({ type: 'error', id: req.id, message: (e as Error).message });
    }
  })();
});
