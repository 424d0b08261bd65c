/**
 * Completion worker (a worker_threads thread): holds the trained model, the workspace n-gram model and the
 * per-document recurrent states, and answers completion and sample requests, so the extension host's thread
 * never runs a model.
 *
 * Suggestions come from the LSTM mixed with the n-gram and match models (`src/mix`), from the n-gram model alone
 * before any LSTM is trained, or from the LSTM alone when mixing is turned off.
 *
 * On the desktop it runs in a worker_threads thread (this module's entry, below); in the browser in a Web Worker
 * or in the extension host worker itself (src/web), with the platform's file system and kernels.
 */
import { parentPort } from 'node:worker_threads';
import { nextTurn, type ComputePort } from '../shared/platform';
import { nodeDocPath, type ComputeEnv } from './env';
import { collectCorpus, isSecretFileName, judgeDocument, type CorpusReport } from '../corpus';
import { loadModel, type SavedModel } from '../engine/format';
import { generate, prime } from '../engine/generate';
import { Vocabulary } from '../engine/vocab';
import { continueWithConfidence, shownText } from '../engine/confident';
import { createKernels, type Kernels } from '../engine/kernels';
import { Predictor, type RecurrentState, type StepModel } from '../engine/predictor';
import { Rng } from '../engine/rng';
import { buildWorkspaceModels, DocumentLines, type MatchModel, MixedPredictor } from '../mix';
import type { NGramModel } from '../ngram';
import { modelInfo, suggestsWith } from './modelInfo';
import type { CompletionRequest, CompletionResponse, CorpusRequest, CorpusSurvey, IndexInfo, ModelInfo } from '../shared/protocol';
import { NGRAM_MAX_MB } from '../shared/settings';
import { DocumentStates } from '../engine/stateCache';
import { Rehearsals } from './rehearsal';

type Complete = Extract<CompletionRequest, { type: 'complete' }>;

/** What is typed in a file training skips as a secret (by its name) is never learned from (nor when the request says so). */
function mayLearn(req: Complete): boolean {
  if (req.learn === false) return false;
  const base = req.doc.slice(req.doc.lastIndexOf('/') + 1);
  let name = base;
  try { name = decodeURIComponent(base); } catch { /* not percent-encoded */ }
  return !isSecretFileName(name);
}

/** Suggestions from a model that reads one character at a time, with its per-document states. */
interface Suggester {
  complete(req: Complete): { items: string[]; cold: boolean; fed: number };
  forget(doc: string): void;
}

function suggester<S extends RecurrentState>(predictor: StepModel<S>, vocab: Vocabulary): Suggester {
  const states = new DocumentStates(predictor, vocab);
  return {
    complete(req) {
      const prepared = states.prepare(req.doc, req.context, req.context.length < 1 || req.wholePrefix, mayLearn(req));
      const stopBefore = req.stopAtNewline ? (ch: string) => ch === '\n' : undefined;
      const items: string[] = [];
      const rng = new Rng(req.seed);
      const linePrefix = req.context.slice(req.context.lastIndexOf('\n') + 1);
      for (let i = 0; i < Math.max(1, req.alternatives); i++) {
        const state = i === 0 ? prepared.state : predictor.cloneState(prepared.state);
        // The first item uses the user's temperature (greedy at 0); alternatives need some randomness to differ.
        const temperature = i === 0 ? req.temperature : Math.max(0.6, req.temperature);
        // As long as the model is sure of it (see confident.ts); in code, no prose.
        // Generation stops once the confidence is below the threshold: nothing after that could be shown.
        const c = continueWithConfidence(predictor, vocab, state, prepared.probs, { temperature, rng, maxChars: req.maxChars, stopBefore, minConfidence: req.confidence });
        const text = shownText(c, req.confidence, linePrefix, req.languageId).text;
        // The first item may be empty (nothing sure enough); then nothing is shown, alternatives included.
        if (i === 0 && !text) break;
        if (text && !items.includes(text)) items.push(text);
      }
      return { items, cold: prepared.cold, fed: prepared.fed };
    },
    forget: (doc) => states.forget(doc),
  };
}

interface Loaded {
  model: SavedModel;
  kernels: Kernels;
  predictor: Predictor;
  lstm: Suggester;
  mixed: Suggester | null;
}

let loaded: Loaded | null = null;
let ngram: NGramModel | null = null;
let match: MatchModel | null = null;
let index: IndexInfo | null = null;
/** Before training: the n-gram and match models alone, over the workspace's characters. */
let ngramOnly: { suggester: Suggester; predictor: MixedPredictor } | null = null;
/** What the n-gram model scored on the last workspace files before reading them (for the mixing weights). */
let ngramBits: number | null = null;
const documents = new DocumentLines();
/** The LSTM rehearses what the user wrote at pauses and saves (see rehearsal.ts). */
const rehearsals = new Rehearsals(() => loaded?.predictor ?? null);
let port: ComputePort;
let env: ComputeEnv = {};

function reply(msg: CompletionResponse): void {
  port.postMessage(msg);
}

function mixedFor(model: SavedModel, lstm: Predictor): Suggester | null {
  if (!ngram) return null;
  const prior = { lstmBits: model.meta.training?.validationBitsPerChar ?? null, ngramBits };
  return suggester(new MixedPredictor(lstm, model.vocab, ngram, undefined, match, { prior }), model.vocab);
}

/** The roots and rules the workspace models were built with: open documents are judged by them too. */
let indexRules: { roots: string[]; corpus: Extract<CompletionRequest, { type: 'index' }>['corpus'] } | null = null;
/** Per document: whether training's rules let it feed the models (judged once per document and index). */
const admitted = new Map<string, Promise<boolean>>();
/** Observations in order; a completion request waits for those before it (so they are learned first). */
let observing: Promise<void> = Promise.resolve();

function mayFeed(doc: string, text: string): Promise<boolean> {
  let verdict = admitted.get(doc);
  if (!verdict) {
    const rules = indexRules;
    const file = (env.docPath ?? nodeDocPath)(doc);
    verdict = judgeDocument(rules?.roots ?? [], { ...rules?.corpus, fs: env.fs }, file, text).then((v) => v === undefined, () => false);
    admitted.set(doc, verdict);
    if (admitted.size > 512) admitted.delete(admitted.keys().next().value!);
  }
  return verdict;
}

/**
 * An open document's lines the models have not read yet go to the n-gram and match models, when training would
 * read the file (include/exclude, .gitignore, secret, generated and binary files, minified text; secrets masked).
 */
function observe(doc: string, text: string): void {
  observing = observing.then(async () => {
    if (!ngram || !(await mayFeed(doc, text)) || !ngram) return;
    const fresh = documents.newText(doc, text);
    if (!fresh) return;
    ngram.add(fresh);
    match?.addText(fresh);
  }).catch(() => undefined);
}

async function load(modelDir: string): Promise<ModelInfo> {
  const model = await loadModel(modelDir, { fs: env.fs });
  // One thread: batch-1 steps are too small to split, and training owns the other core.
  // The single-threaded build reserves its whole memory up front: a batch-1 model needs far less than training.
  const { kernels } = await createKernels({ ...env.kernels, threads: 1, maxMemoryBytes: env.kernels?.sharedMemory === false ? 256 << 20 : undefined });
  const lstm = new Predictor(kernels, model.config, model.weights);
  loaded?.kernels.dispose();
  loaded = { model, kernels, predictor: lstm, lstm: suggester(lstm, model.vocab), mixed: mixedFor(model, lstm) };
  return modelInfo(model, kernels.name);
}

/** Reads the workspace (same rules as training) into fresh n-gram and match models, yielding between files. */
async function buildIndex(req: Extract<CompletionRequest, { type: 'index' }>): Promise<IndexInfo | null> {
  const t0 = performance.now();
  if (req.roots.length === 0) {
    // Turned off (or Restricted Mode): drop the model and its memory.
    ngram = null;
    match = null;
    index = null;
    ngramOnly = null;
    if (loaded) loaded.mixed = null;
    return null;
  }
  indexRules = { roots: req.roots, corpus: req.corpus };
  admitted.clear();
  const surveyed = await surveyedFor(req.roots, req.corpus);
  const report = surveyed ?? await collectCorpus(req.roots, { ...req.corpus, fs: env.fs });
  if (report.files.length === 0) return index;
  // Between files, completion requests get through.
  const built = await buildWorkspaceModels(report.files.map((f) => f.text), nextTurn);
  const model = built.ngram;
  const matches = built.match;
  ngram = model;
  match = matches;
  ngramBits = built.ngramBits;
  const vocab = Vocabulary.fromText(report.files.map((f) => f.text));
  const alone = new MixedPredictor(null, vocab, model, undefined, matches);
  ngramOnly = { predictor: alone, suggester: suggester(alone, vocab) };
  const stats = model.stats;
  index = {
    files: report.files.length, chars: report.totalChars, contexts: stats.contexts,
    megabytes: Number((stats.bytes / 2 ** 20).toFixed(1)), seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    ...(surveyed ? { fromSurvey: true } : {}),
  };
  if (loaded) loaded.mixed = mixedFor(loaded.model, loaded.predictor);
  return index;
}

/**
 * The first-run offer's survey reads the workspace just before the index is built at activation, by the same rules
 * with a larger size cap. When that read was complete (nothing over any cap, no listing limit) and fits the index's
 * cap, the index takes it instead of reading every file a second time (once; a later build reads the files again).
 */
let surveying: { key: string; report: Promise<CorpusReport | null> } | null = null;

function corpusKey(roots: readonly string[], corpus: CorpusRequest): string {
  return JSON.stringify([roots, corpus.include, corpus.exclude, corpus.folders ?? []]);
}

async function survey(req: Extract<CompletionRequest, { type: 'survey' }>): Promise<CorpusSurvey> {
  const reading = collectCorpus(req.roots, { ...req.corpus, fs: env.fs });
  const key = corpusKey(req.roots, req.corpus);
  surveying = { key, report: reading.then((r) => (!r.truncated && r.totalBytes <= NGRAM_MAX_MB * 2 ** 20 ? r : null), () => null) };
  const report = await reading;
  const skipped: Record<string, number> = {};
  for (const [reason, n] of Object.entries(report.skippedCounts)) if (n > 0) skipped[reason] = n;
  return { files: report.files.length, chars: report.totalChars, truncated: report.truncated, skipped };
}

/** The survey's read, when it is what the index would read (see {@link survey}); null otherwise. */
async function surveyedFor(roots: readonly string[], corpus: CorpusRequest): Promise<CorpusReport | null> {
  const s = surveying;
  surveying = null;
  if (!s || s.key !== corpusKey(roots, corpus)) return null;
  const report = await s.report;
  return report && report.totalBytes <= corpus.maxTotalBytes ? report : null;
}

function complete(req: Complete): CompletionResponse {
  const t0 = performance.now();
  // The trained model joins only when it was measured to help on the held-out files (see suggestsWith).
  const lstmJoins = loaded !== null && (!req.mix || !ngramOnly || suggestsWith(loaded.model.meta.training?.heldOut).source === 'mixed');
  if (!loaded || !lstmJoins) {
    if (!ngramOnly) return { type: 'completion', id: req.id, items: [], ms: 0, cold: false, fed: 0, source: 'none' };
    const r = ngramOnly.suggester.complete(req);
    if (!r.cold && req.learn !== false) documents.markLearned(req.doc, req.context, r.fed);
    return { type: 'completion', id: req.id, ...r, ms: performance.now() - t0, source: 'ngram' };
  }
  const mixed = req.mix && loaded.mixed !== null;
  const r = (mixed ? loaded.mixed! : loaded.lstm).complete(req);
  // Typed text the mixture has just learned from: not to be learned again from the document's lines.
  if (mixed && !r.cold && req.learn !== false) documents.markLearned(req.doc, req.context, r.fed);
  return { type: 'completion', id: req.id, ...r, ms: performance.now() - t0, source: mixed ? 'mixed' : 'lstm' };
}

function sample(req: Extract<CompletionRequest, { type: 'sample' }>): CompletionResponse {
  if (!loaded) return { type: 'sample', id: req.id, text: '' };
  // Samples show what the LSTM itself has learned (the dashboard), so no n-gram here.
  const { model, predictor } = loaded;
  const { state, probs } = prime(predictor, model.vocab, req.prompt);
  const text = generate(predictor, model.vocab, state, probs, {
    temperature: req.temperature, rng: new Rng(req.seed), maxChars: req.maxChars,
  });
  return { type: 'sample', id: req.id, text };
}

/** Serves completion requests from `p` with the platform's `e`. */
export function serveCompletion(p: ComputePort, e: ComputeEnv = {}): void {
  port = p;
  env = e;
  p.onMessage((m) => handle(m as CompletionRequest));
}

function handle(req: CompletionRequest): void {
  void (async () => {
    try {
      switch (req.type) {
        case 'load': reply({ type: 'loaded', id: req.id, model: await load(req.modelDir) }); break;
        case 'unload':
          rehearsals.dispose();
          loaded?.kernels.dispose();
          loaded = null;
          reply({ type: 'unloaded', id: req.id });
          break;
        case 'complete': {
          await observing;
          // What is typed in a file training would skip (excluded, .gitignore'd, secret, generated...) is not learned.
          const learn = mayLearn(req) && await mayFeed(req.doc, req.context);
          reply(complete({ ...req, learn }));
          if (learn && loaded) rehearsals.typed();
          break;
        }
        case 'sample': reply(sample(req)); break;
        case 'survey': reply({ type: 'surveyed', id: req.id, survey: await survey(req) }); break;
        case 'index': reply({ type: 'indexed', id: req.id, index: await buildIndex(req) }); break;
        case 'forget':
          loaded?.lstm.forget(req.doc);
          loaded?.mixed?.forget(req.doc);
          ngramOnly?.suggester.forget(req.doc);
          documents.forget(req.doc);
          admitted.delete(req.doc);
          break;
        case 'observe': observe(req.doc, req.text); break;
        case 'rehearse': reply({ type: 'rehearsed', id: req.id, rehearsal: await rehearsals.run() }); break;
      }
    } catch (e) {
      if ('id' in req) reply({ type: 'error', id: req.id, message: (e as Error).message });
    }
  })();
}

// The desktop's entry: a worker_threads thread started by the extension host (src/host/completionClient.ts).
if (parentPort) {
  const pp = parentPort;
  serveCompletion({ postMessage: (m) => pp.postMessage(m), onMessage: (f) => { pp.on('message', f); } });
}
