/**
 * Training server: collects the workspace corpus, trains, and checkpoints the best model into the model folder,
 * reporting progress. The extension host only sends requests and relays events. On the desktop it runs in a
 * worker_threads thread (this module's entry, below); in the browser in a Web Worker or, where the host allows no
 * workers, in the extension host worker itself, one training step per macrotask (src/web).
 */
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { nextTurn, type ComputePort } from '../shared/platform';
import type { ComputeEnv } from './env';
import { collectCorpus, excludedEntries, formatReport, splitByFile } from '../corpus';
import { loadModel, saveModel, type SavedModel } from '../engine/format';
import { createKernels, JsKernels, type KernelChoice, type Kernels } from '../engine/kernels';
import { DOCUMENT_SEPARATOR, trainOnText } from '../engine/pipeline';
import { StreamScorer } from '../engine/scorer';
import { compareOnHeldOutSteps, worseThanNgramWarning } from '../eval/heldOutComparison';
import { heldOutGhostTextSteps, workspacePartsSteps, workspaceTexts } from '../eval/ghostText';
import { runSliced } from '../shared/steps';
import { defaultSettings } from '../shared/settings';
import { loadTf } from '../engine/tfjs/load';
import { DEFAULT_TRAIN, resolveTrainConfig } from '../shared/modelConfig';
import { modelInfo } from './modelInfo';
import type { CorpusInfo, TrainingEvent, TrainingRequest } from '../shared/protocol';
import { pauseRemaining, TypingSignal } from '../shared/typing';

let port: ComputePort;
let env: ComputeEnv = {};
let controller: AbortController | null = null;
/** Training waits while the user types (the host writes the time of the last keystroke, see TrainingClient). */
let pauseMs: (() => number) | undefined;

function send(e: TrainingEvent): void {
  port.postMessage(e);
}

async function kernelsFor(choice: KernelChoice): Promise<{ kernels: Kernels; note?: string }> {
  const { threaded, ...single } = env.kernels ?? {};
  let threadedReason: string | undefined;
  if (threaded && (choice === 'wasm' || choice === 'auto')) {
    const t = await createKernels({ prefer: 'wasm', wasmBytes: threaded.wasmBytes, sharedMemory: true, threads: threaded.threads, startThread: threaded.startThread });
    if (!(t.kernels instanceof JsKernels)) {
      const how = `the threaded WebAssembly build on ${t.kernels.threads} thread(s), kernel threads in Web Workers (the page is cross-origin isolated)`;
      const note = [t.fallbackReason, how].filter((s) => s).join('; ');
      return { kernels: t.kernels, note };
    }
    t.kernels.dispose();
    threadedReason = `the threaded build cannot run here (${t.fallbackReason ?? 'unknown reason'})`;
  }
  const { kernels, fallbackReason } = await createKernels({ prefer: choice, ...single });
  const note = [threadedReason, fallbackReason, env.note].filter((s) => s).join('; ');
  return { kernels, note: note || undefined };
}

/** The stored model could not be loaded: the user chooses (keep it, or start over); nothing is overwritten. */
class ModelUnreadableError extends Error {
  override name = 'ModelUnreadableError';
}

/** The split of every run, fine-tune and import: one seed, so the held-out files stay the same across runs. */
const SPLIT_SEED = DEFAULT_TRAIN.seed;

async function workspace(roots: string[], opts: { include: string[]; exclude: string[]; maxTotalBytes: number }, signal?: AbortSignal) {
  const report = await collectCorpus(roots, { ...opts, signal, fs: env.fs });
  const split = splitByFile(report.files, DEFAULT_TRAIN.validationFraction, SPLIT_SEED);
  return { report, split };
}

async function loadStored(modelDir: string): Promise<SavedModel> {
  try {
    return await loadModel(modelDir, { withOptimizer: true, fs: env.fs });
  } catch (e) {
    throw new ModelUnreadableError(`the stored model cannot be loaded (${(e as Error).message})`);
  }
}

function fmt(x: number | null | undefined): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(3) : '-';
}

async function runTrain(req: Extract<TrainingRequest, { type: 'train' }>, signal: AbortSignal): Promise<void> {
  const { report, split } = await workspace(req.roots, req.corpus, signal);
  const corpus: CorpusInfo = {
    files: report.files.length, chars: report.totalChars, skipped: { ...report.skippedCounts },
    examples: report.skipped.slice(0, 20).map((s) => ({ path: s.path, reason: s.reason })),
    maskedSecrets: report.maskedSecrets, truncated: report.truncated, report: formatReport(report),
  };
  send({ type: 'corpus', id: req.id, corpus });
  if (report.files.length === 0) throw new Error('no usable text files in the workspace (see the Inkling output for what was skipped)');
  // Never `.catch(() => undefined)`: a model that fails to load would be replaced by a new one without a word.
  const resume = req.resume ? await loadStored(req.modelDir) : undefined;
  const { kernels, note } = await kernelsFor(req.kernels);
  send({ type: 'started', id: req.id, kernels: kernels.name, kernelsNote: note });
  const { tf } = await loadTf();
  try {
    const trainTexts = split.train.map((f) => f.text);
    const heldOut = split.validation.map((f) => f.text);
    const result = await trainOnText({
      kernels, resume, model: req.model, train: req.train, signal, pauseMs,
      texts: { train: trainTexts, validation: heldOut },
      corpus: {
        files: corpus.files, chars: corpus.chars, skipped: corpus.skipped, maskedSecrets: corpus.maskedSecrets,
        excluded: excludedEntries(report),
      },
      onProgress: (progress) => send({ type: 'progress', id: req.id, progress }),
      onNotice: (n) => send({ type: 'notice', id: req.id, message: `step ${n.step}: ${n.message}` }),
      // Only ever called for weights better than the stored model's on these held-out files (a resumed run starts
      // its best at the stored weights' figure): the record is the weights, their moments and their figures.
      onBest: async (model, p) => {
        await saveModel(tf, req.modelDir, model, { withOptimizer: true, fs: env.fs });
        send({ type: 'checkpoint', id: req.id, valBits: p.bestValBits });
      },
    });
    if (resume && !result.improved) {
      send({
        type: 'done', id: req.id, stopReason: result.stopReason, progress: result.progress, model: modelInfo(resume, kernels.name),
        kept: `the resumed run did not beat the stored model on the held-out files (its best ${fmt(result.progress.bestValBits)} ` +
          `bits/char was the stored model's own ${fmt(result.initialBitsPerChar)}); the stored model is kept`,
      });
      return;
    }
    send({ type: 'notice', id: req.id, message: 'comparing the trained model with the n-gram and match model on the held-out files' });
    // In slices with turns between them: where training shares its thread with completions (the browser's extension
    // host worker, time-sliced), these would otherwise hold it for seconds at the end of every run.
    const heldOutFigures = await runSliced(compareOnHeldOutSteps(kernels, result, trainTexts, heldOut), nextTurn);
    if (heldOutFigures) {
      send({ type: 'notice', id: req.id, message: 'typing the held-out files with ghost text, as `inkling eval` does (precision and recall)' });
      const parts = await runSliced(workspacePartsSteps(workspaceTexts(trainTexts)), nextTurn);
      heldOutFigures.ghostText = await runSliced(heldOutGhostTextSteps(kernels, result, parts, split.validation, { threshold: req.confidence ?? defaultSettings().confidence }), nextTurn);
    }
    if (heldOutFigures && result.meta.training) result.meta.training.heldOut = heldOutFigures;
    // The best weights with the optimiser state that belongs to them, so "Train" later continues from there.
    await saveModel(tf, req.modelDir, result, { withOptimizer: true, fs: env.fs });
    send({
      type: 'done', id: req.id, stopReason: result.stopReason, progress: result.progress, model: modelInfo(result, kernels.name),
      warning: worseThanNgramWarning(heldOutFigures) ?? undefined,
    });
  } finally {
    kernels.dispose();
  }
}

async function runFinetune(req: Extract<TrainingRequest, { type: 'finetune' }>, signal: AbortSignal): Promise<void> {
  const { split } = await workspace(req.roots, req.corpus, signal);
  // Held-out files are never trained on, even when saved: their figure would no longer measure anything.
  const heldOutPaths = new Set(split.validation.map((f) => `${f.root}\0${f.path}`));
  // The saved files as the workspace corpus has them: read through the same rules as training, with each folder of
  // a multi-root workspace applying its own include/exclude settings; a file those rules skip is not learned from.
  const saved = new Set(req.files.flatMap((g) => g.paths.map((p) => `${path.resolve(g.root)}\0${p}`)));
  const texts = split.train.filter((f) => saved.has(`${path.resolve(f.root)}\0${f.path}`) && !heldOutPaths.has(`${f.root}\0${f.path}`)).map((f) => f.text);
  if (texts.join('').length < 256) {
    send({ type: 'done', id: req.id, stopReason: 'nothing-to-learn', progress: null, model: null });
    return;
  }
  const base = await loadStored(req.modelDir);
  const heldOut = split.validation.map((f) => f.text);
  const { kernels } = await kernelsFor(req.kernels);
  const { tf } = await loadTf();
  try {
    if (heldOut.length === 0) {
      send({ type: 'done', id: req.id, stopReason: 'no-held-out', progress: null, model: modelInfo(base, kernels.name),
        kept: 'the workspace has no held-out files to check a fine-tune on; the model is kept as it is' });
      return;
    }
    const result = await trainOnText({
      kernels, resume: base, signal, pauseMs, texts: { train: texts, validation: heldOut },
      train: {
        ...base.meta.training?.config, minutes: 0, maxSteps: req.maxSteps, validateEverySeconds: 3600,
        learningRate: (base.meta.training?.config.learningRate ?? DEFAULT_TRAIN.learningRate) / 4,
      },
      onProgress: (progress) => send({ type: 'progress', id: req.id, progress }),
      onNotice: (n) => send({ type: 'notice', id: req.id, message: `fine-tune step ${n.step}: ${n.message}` }),
    });
    if (!result.improved) {
      send({
        type: 'done', id: req.id, stopReason: result.stopReason, progress: result.progress, model: modelInfo(base, kernels.name),
        kept: `the fine-tuned weights were not better on the held-out files (the model's ${fmt(result.initialBitsPerChar)} bits/char stays); discarded`,
      });
      return;
    }
    // The figures are the ones measured on the fine-tuned weights (trainOnText validated them on the same held-out
    // files); the corpus is still the base model's.
    result.meta.corpus = base.meta.corpus;
    if (result.meta.training && base.meta.training?.heldOut) delete result.meta.training.heldOut;
    await saveModel(tf, req.modelDir, result, { withOptimizer: true, fs: env.fs });
    send({ type: 'done', id: req.id, stopReason: result.stopReason, progress: result.progress, model: modelInfo(result, kernels.name) });
  } finally {
    kernels.dispose();
  }
}

async function runImport(req: Extract<TrainingRequest, { type: 'import' }>): Promise<void> {
  const model = await loadModel(req.from, { fs: env.fs }); // validates everything before the current model is touched
  const { tf } = await loadTf();
  let current: SavedModel | undefined;
  let unreadable = '';
  try {
    current = await loadModel(req.modelDir, { fs: env.fs });
  } catch (e) {
    if (await folderExists(req.modelDir)) unreadable = (e as Error).message;
  }
  let why = unreadable ? `the current model could not be loaded (${unreadable})` : 'there was no model';
  if (current) {
    if (req.roots.length === 0) {
      throw new Error('the imported model cannot be compared with the current one: no workspace files can be read (no folder, or Restricted Mode); the current model is kept');
    }
    const { split } = await workspace(req.roots, req.corpus);
    const heldOut = vocabFree(split.validation.map((f) => f.text));
    const { kernels } = await kernelsFor('auto');
    try {
      const mine = heldOutBits(kernels, current, heldOut);
      const theirs = heldOutBits(kernels, model, heldOut);
      if (mine !== null && theirs !== null && !(theirs <= mine)) {
        throw new Error(`the imported model scores ${fmt(theirs)} bits/char on this workspace's held-out files, worse than the current model's ${fmt(mine)}; the current model is kept`);
      }
      why = mine === null ? 'the workspace has no held-out files to compare on' : `it scores ${fmt(theirs)} bits/char on the held-out files (the current model ${fmt(mine)})`;
    } finally {
      kernels.dispose();
    }
  }
  await saveModel(tf, req.modelDir, model, { fs: env.fs });
  if (!(await folderExists(req.modelDir))) throw new Error(`the imported model was not written to ${req.modelDir}`);
  send({ type: 'done', id: req.id, stopReason: 'imported', progress: null, model: modelInfo(model, 'import'), warning: `imported: ${why}` });
}

function vocabFree(texts: string[]): string {
  return texts.join(DOCUMENT_SEPARATOR);
}

/**
 * A model's bits per character on held-out text, its unknown characters included (the two models may have
 * different vocabularies, so each pays for what it cannot name). Null when the text is too short to score.
 */
function heldOutBits(kernels: Kernels, model: SavedModel, text: string): number | null {
  const cfg = resolveTrainConfig(model.meta.training?.config ?? {});
  const scorer = StreamScorer.create(kernels, model.config, model.vocab.encode(text).subarray(0, cfg.validationChars + 1), cfg.batchSize, cfg.seqLength);
  return scorer ? scorer.bitsPerChar(model.weights) : null;
}

async function folderExists(dir: string): Promise<boolean> {
  if (env.fs) return env.fs.stat(dir).then(() => true, () => false);
  const { promises: fs } = await import('node:fs');
  return fs.access(dir).then(() => true, () => false);
}

/** Serves training requests from `p` (one job at a time) with the platform's `e`. */
export function serveTraining(p: ComputePort, e: ComputeEnv = {}): void {
  port = p;
  env = e;
  const typingSignal = e.typing;
  pauseMs = typingSignal ? () => pauseRemaining(Date.now(), typingSignal.last) : undefined;
  p.onMessage((m) => handle(m as TrainingRequest));
}

function handle(req: TrainingRequest): void {
  if (req.type === 'stop') {
    controller?.abort();
    return;
  }
  if (controller) {
    send({ type: 'error', id: req.id, message: 'a training run is already in progress' });
    return;
  }
  controller = new AbortController();
  const signal = controller.signal;
  const job = req.type === 'train' ? runTrain(req, signal) : req.type === 'finetune' ? runFinetune(req, signal) : runImport(req);
  job.catch((e: Error) => {
    send(signal.aborted && e.name === 'AbortError'
      ? { type: 'done', id: req.id, stopReason: 'aborted', progress: null, model: null }
      : { type: 'error', id: req.id, message: e.message, code: e instanceof ModelUnreadableError ? 'model-unreadable' : undefined });
  }).finally(() => {
    controller = null;
  });
}

// The desktop's entry: a worker_threads thread started by the extension host (src/host/trainingClient.ts).
if (parentPort) {
  const pp = parentPort;
  const typing = (workerData as { typing?: SharedArrayBuffer } | null)?.typing;
  serveTraining({ postMessage: (m) => pp.postMessage(m), onMessage: (f) => { pp.on('message', f); } }, { typing: typing ? new TypingSignal(typing) : null });
}
