/**
 * Training worker (a worker_threads thread): collects the workspace corpus, trains, and checkpoints the best
 * model into the model folder, reporting progress. The extension host only sends requests and relays events.
 */
import { promises as fs } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { collectCorpus, excludedEntries, formatReport, splitByFile } from '../corpus';
import { loadModel, saveModel } from '../engine/format';
import { createKernels, type KernelChoice, type Kernels } from '../engine/kernels';
import { trainOnText } from '../engine/pipeline';
import { loadTf } from '../engine/tfjs/load';
import { DEFAULT_TRAIN } from '../shared/modelConfig';
import { modelInfo } from './modelInfo';
import type { CorpusInfo, TrainingEvent, TrainingRequest } from '../shared/protocol';
import { pauseRemaining, TypingSignal } from '../shared/typing';

const port = parentPort!;
let controller: AbortController | null = null;
/** The user's last keystroke, written by the extension host (see TrainingClient); training waits while they type. */
const typing = (workerData as { typing?: SharedArrayBuffer } | null)?.typing;
const typingSignal = typing ? new TypingSignal(typing) : null;
const pauseMs = typingSignal ? () => pauseRemaining(Date.now(), typingSignal.last) : undefined;

function send(e: TrainingEvent): void {
  port.postMessage(e);
}

async function kernelsFor(choice: KernelChoice): Promise<{ kernels: Kernels; note?: string }> {
  const { kernels, fallbackReason } = await createKernels({ prefer: choice });
  return { kernels, note: fallbackReason };
}

async function runTrain(req: Extract<TrainingRequest, { type: 'train' }>, signal: AbortSignal): Promise<void> {
  const report = await collectCorpus(req.roots, { ...req.corpus, signal });
  const corpus: CorpusInfo = {
    files: report.files.length, chars: report.totalChars, skipped: { ...report.skippedCounts },
    examples: report.skipped.slice(0, 20).map((s) => ({ path: s.path, reason: s.reason })),
    maskedSecrets: report.maskedSecrets, truncated: report.truncated, report: formatReport(report),
  };
  send({ type: 'corpus', id: req.id, corpus });
  if (report.files.length === 0) throw new Error('no usable text files in the workspace (see the Inkling output for what was skipped)');
  const split = splitByFile(report.files, req.train.validationFraction ?? DEFAULT_TRAIN.validationFraction, req.train.seed ?? DEFAULT_TRAIN.seed);
  const resume = req.resume ? await loadModel(req.modelDir, { withOptimizer: true }).catch(() => undefined) : undefined;
  const { kernels, note } = await kernelsFor(req.kernels);
  send({ type: 'started', id: req.id, kernels: kernels.name, kernelsNote: note });
  const { tf } = await loadTf();
  try {
    const result = await trainOnText({
      kernels, resume, model: req.model, train: req.train, signal, pauseMs,
      texts: { train: split.train.map((f) => f.text), validation: split.validation.map((f) => f.text) },
      corpus: {
        files: corpus.files, chars: corpus.chars, skipped: corpus.skipped, maskedSecrets: corpus.maskedSecrets,
        excluded: excludedEntries(report),
      },
      onProgress: (progress) => send({ type: 'progress', id: req.id, progress }),
      onBest: async (model, p) => {
        await saveModel(tf, req.modelDir, model);
        send({ type: 'checkpoint', id: req.id, valBits: p.bestValBits });
      },
    });
    // The best weights with the optimiser state, so "Train" later continues where this run stopped.
    await saveModel(tf, req.modelDir, result, { withOptimizer: true });
    send({ type: 'done', id: req.id, stopReason: result.stopReason, progress: result.progress, model: modelInfo(result, kernels.name) });
  } finally {
    kernels.dispose();
  }
}

/** Escapes glob syntax so a literal path can be passed as an include pattern. */
function literalGlob(p: string): string {
  return p.replace(/[\\*?[\]{}()!+@]/g, (c) => `\\${c}`);
}

async function runFinetune(req: Extract<TrainingRequest, { type: 'finetune' }>, signal: AbortSignal): Promise<void> {
  const texts: string[] = [];
  for (const group of req.files) {
    const report = await collectCorpus(group.root, { include: group.paths.map(literalGlob), exclude: req.exclude, signal });
    texts.push(...report.files.map((f) => f.text));
  }
  if (texts.join('').length < 256) {
    send({ type: 'done', id: req.id, stopReason: 'nothing-to-learn', progress: null, model: null });
    return;
  }
  const base = await loadModel(req.modelDir, { withOptimizer: true });
  const { kernels } = await kernelsFor(req.kernels);
  const { tf } = await loadTf();
  try {
    const result = await trainOnText({
      kernels, resume: base, signal, pauseMs, texts: { train: texts, validation: [] },
      train: { ...base.meta.training?.config, minutes: 0, maxSteps: req.maxSteps, learningRate: (base.meta.training?.config.learningRate ?? DEFAULT_TRAIN.learningRate) / 4 },
      onProgress: (progress) => send({ type: 'progress', id: req.id, progress }),
    });
    // Fine-tuning has no held-out text; keep the validation figure of the base model.
    result.meta.training!.validationBitsPerChar = base.meta.training?.validationBitsPerChar ?? null;
    result.meta.corpus = base.meta.corpus;
    await saveModel(tf, req.modelDir, result, { withOptimizer: true });
    send({ type: 'done', id: req.id, stopReason: result.stopReason, progress: result.progress, model: modelInfo(result, kernels.name) });
  } finally {
    kernels.dispose();
  }
}

async function runImport(req: Extract<TrainingRequest, { type: 'import' }>): Promise<void> {
  const model = await loadModel(req.from); // validates everything before the current model is touched
  const { tf } = await loadTf();
  await saveModel(tf, req.modelDir, model);
  await fs.access(req.modelDir);
  send({ type: 'done', id: req.id, stopReason: 'imported', progress: null, model: modelInfo(model, 'import') });
}

port.on('message', (req: TrainingRequest) => {
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
      : { type: 'error', id: req.id, message: e.message });
  }).finally(() => {
    controller = null;
  });
});
