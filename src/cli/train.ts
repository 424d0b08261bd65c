/** `inkling train [folder] --out <dir>`: collect a corpus, train, save, and show a few completions. */
import path from 'node:path';
import { collectCorpus, excludedEntries, formatReport, splitByFile } from '../corpus';
import {
  CELL_TYPES, DEFAULT_TRAIN, resolveModelConfig, resolveTrainConfig, saveModel, trainOnText, type CellType, type SavedModel, type TrainConfig,
} from '../engine';
import { loadModel } from '../engine/format';
import { createKernels, KERNEL_CHOICES, type KernelChoice } from '../engine/kernels';
import { compareOnHeldOut, suggestsWith, worseThanNgramWarning } from '../eval/heldOutComparison';
import { ghostTextSamples, heldOutGhostText, workspaceParts, workspaceTexts, type WorkspaceParts } from '../eval/ghostText';
import { defaultSettings } from '../shared/settings';
import { loadTf } from '../engine/tfjs/load';
import { list, num, parse, str, type Options } from './args';
import { UsageError } from './errors';
import { DEFAULT_CORPUS_INCLUDE, packageRoot } from '../corpus/packagePaths';
import { ProgressBar } from './progress';

export const TRAIN_OPTIONS: Options = {
  out: { type: 'string', short: 'o' },
  minutes: { type: 'string' },
  'max-steps': { type: 'string' },
  epochs: { type: 'string' },
  cell: { type: 'string' },
  layers: { type: 'string' },
  units: { type: 'string' },
  embedding: { type: 'string' },
  dropout: { type: 'string' },
  'seq-length': { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  schedule: { type: 'string' },
  init: { type: 'string' },
  warmup: { type: 'string' },
  'decay-steps': { type: 'string' },
  'lr-floor': { type: 'string' },
  beta1: { type: 'string' },
  beta2: { type: 'string' },
  'adam-eps': { type: 'string' },
  'clip-norm': { type: 'string' },
  seed: { type: 'string' },
  'validation-fraction': { type: 'string' },
  'validation-chars': { type: 'string' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'max-bytes': { type: 'string' },
  'max-file-bytes': { type: 'string' },
  resume: { type: 'boolean' },
  kernels: { type: 'string' },
  threads: { type: 'string' },
  json: { type: 'boolean' },
};

export async function trainCommand(argv: string[]): Promise<void> {
  const { values: v, positionals } = parse(argv, TRAIN_OPTIONS);
  const builtIn = positionals.length === 0;
  const folder = builtIn ? packageRoot() : path.resolve(positionals[0]!);
  const out = path.resolve(str(v, 'out') ?? 'inkling-model');
  const cell = str(v, 'cell');
  if (cell !== undefined && !CELL_TYPES.includes(cell as CellType)) throw new UsageError(`--cell must be one of ${CELL_TYPES.join(', ')}`);
  const log = (s: string): void => { if (!v.json) process.stderr.write(`${s}\n`); };

  const modelOverrides = {
    cell: cell as CellType | undefined, layers: num(v, 'layers'), units: num(v, 'units'),
    embeddingSize: num(v, 'embedding'), dropout: num(v, 'dropout'),
  };
  const trainOverrides = {
    minutes: num(v, 'minutes'), maxSteps: num(v, 'max-steps'), epochs: num(v, 'epochs'),
    seqLength: num(v, 'seq-length'), batchSize: num(v, 'batch'), learningRate: num(v, 'lr'),
    clipNorm: num(v, 'clip-norm'), seed: num(v, 'seed'), validationFraction: num(v, 'validation-fraction'),
    validationChars: num(v, 'validation-chars'),
    schedule: str(v, 'schedule') as TrainConfig['schedule'] | undefined, init: str(v, 'init') as TrainConfig['init'] | undefined, warmupSteps: num(v, 'warmup'),
    decaySteps: num(v, 'decay-steps'), lrFloor: num(v, 'lr-floor'), beta1: num(v, 'beta1'), beta2: num(v, 'beta2'),
    adamEpsilon: num(v, 'adam-eps'),
  };
  // Check every setting before reading a single file.
  try {
    resolveTrainConfig(trainOverrides);
    resolveModelConfig(modelOverrides, 2);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const report = await collectCorpus(folder, {
    include: list(v, 'include') ?? (builtIn ? DEFAULT_CORPUS_INCLUDE : undefined),
    exclude: list(v, 'exclude'),
    maxTotalBytes: num(v, 'max-bytes'),
    maxFileBytes: num(v, 'max-file-bytes'),
  });
  log(`${builtIn ? 'No folder given: training on Inkling\'s own sources. ' : ''}Corpus from ${folder}:`);
  log(formatReport(report));
  if (report.files.length === 0) throw new UsageError(`no usable text files in ${folder} (see the skipped files above; --max-file-bytes raises the 1 MiB per-file limit)`);
  const fraction = trainOverrides.validationFraction ?? DEFAULT_TRAIN.validationFraction;
  // One split seed for every run (not --seed), so a resumed model is measured on the same held-out files.
  const split = splitByFile(report.files, fraction, DEFAULT_TRAIN.seed);

  const prefer = str(v, 'kernels');
  if (prefer !== undefined && !KERNEL_CHOICES.includes(prefer as KernelChoice)) throw new UsageError(`--kernels must be one of ${KERNEL_CHOICES.join(', ')}`);
  const { kernels, fallbackReason } = await createKernels({ prefer: (prefer as KernelChoice | undefined) ?? 'auto', threads: num(v, 'threads') });
  if (fallbackReason) log(`Kernels: ${fallbackReason}`);
  const resume = v.resume ? await loadModel(out, { withOptimizer: true }).catch((e: Error) => {
    throw new UsageError(`--resume: cannot load ${out}: ${e.message}`);
  }) : undefined;
  const { tf } = await loadTf();
  const bar = v.json ? null : new ProgressBar();
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  let result: Awaited<ReturnType<typeof trainOnText>>;
  try {
    log(`Training (${kernels.name} kernels)${resume ? `, resuming from step ${resume.meta.training?.steps ?? 0}` : ''}; Ctrl+C stops and keeps the best model.`);
    result = await trainOnText({
      kernels,
      texts: { train: split.train.map((f) => f.text), validation: split.validation.map((f) => f.text) },
      resume,
      model: modelOverrides,
      train: trainOverrides,
      corpus: {
        files: report.files.length, chars: report.totalChars, skipped: { ...report.skippedCounts },
        maskedSecrets: report.maskedSecrets, excluded: excludedEntries(report),
      },
      signal: controller.signal,
      onProgress: (p) => bar?.update(p),
      onNotice: (n) => { bar?.clear(); log(`step ${n.step}: ${n.message}`); },
      // Checkpoint the best model as it improves, so an interrupted run keeps it: the weights with their Adam
      // moments. A resumed run calls this only for weights better than the stored model's on the held-out files.
      onBest: (m) => saveModel(tf, out, m, { withOptimizer: true }),
    });
  } finally {
    process.off('SIGINT', onSigint);
    bar?.done();
  }
  const p = result.progress;
  const trainTexts = split.train.map((f) => f.text);
  let kept: string | undefined;
  let warning: string | undefined;
  let parts: WorkspaceParts | undefined;
  const confidence = defaultSettings().confidence;
  if (resume && !result.improved) {
    kept = `the resumed run did not beat the stored model on the held-out files (its best ${p.bestValBits.toFixed(3)} bits/char ` +
      `was the stored model's own ${result.initialBitsPerChar?.toFixed(3) ?? '-'}); ${out} is kept as it was`;
  } else {
    log('Comparing with the n-gram and match model on the held-out files…');
    const single = (await createKernels({ threads: 1 })).kernels;
    const heldOut = compareOnHeldOut(single, result, trainTexts, split.validation.map((f) => f.text));
    if (heldOut) {
      log('Typing the held-out files with ghost text, as `inkling eval` does…');
      parts = workspaceParts(workspaceTexts(trainTexts));
      heldOut.ghostText = heldOutGhostText(single, result, parts, split.validation, { threshold: confidence });
    }
    single.dispose();
    if (heldOut && result.meta.training) result.meta.training.heldOut = heldOut;
    warning = worseThanNgramWarning(heldOut) ?? undefined;
    await saveModel(tf, out, result, { withOptimizer: true });
  }
  kernels.dispose();
  const summary = {
    out, stopReason: result.stopReason, steps: p.step, epochs: p.epoch, elapsedSec: round(p.elapsedSec, 1),
    charsPerSec: Math.round(p.charsPerSec), trainBitsPerChar: round(p.trainBits, 4),
    validationBitsPerChar: Number.isFinite(p.bestValBits) ? round(p.bestValBits, 4) : null,
    lastValidationBitsPerChar: Number.isFinite(p.valBits) ? round(p.valBits, 4) : null,
    validationUnknownChars: result.meta.training?.validationUnknownChars ?? null,
    uniformBitsPerChar: round(Math.log2(result.vocab.size), 4),
    rollbacks: result.rollbacks, heldOut: result.meta.training?.heldOut ?? null,
    ...(kept ? { kept } : {}), ...(warning ? { warning } : {}),
    backend: kernels.name, parameters: result.weights.length, model: result.config,
    corpus: result.meta.corpus,
  };
  if (v.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  if (kept) {
    log(`Kept the stored model: ${kept}.`);
    return;
  }
  const unknown = summary.validationUnknownChars ? `; ${summary.validationUnknownChars} held-out characters outside the vocabulary, counted apart` : '';
  log(`Saved ${out} (${result.stopReason === 'stalled' ? 'stopped early: held-out text got worse twice in a row, best weights kept' : result.stopReason}; ${p.step} steps, ${Math.round(p.charsPerSec)} chars/s, ` +
    `validation ${summary.validationBitsPerChar ?? '-'} bits/char${unknown}${result.rollbacks ? `; ${result.rollbacks} rollback(s) after a divergence` : ''}).`);
  if (warning) log(`Warning: ${warning}.`);
  if (parts && split.validation.length) await showSamples(result, parts, split.validation, confidence, log);
}

const pc = (x: number): string => `${(x * 100).toFixed(0)}%`;

/**
 * Prints what the extension would show at a few line starts of the held-out files (files the model never trained
 * on), after the first characters of each line: the model that suggests (the mixture, or the n-gram/match part
 * alone when the trained model was not measured to help), cut where it is not sure enough, nothing when it is not
 * sure of anything; then the precision and recall measured on the held-out files, for the same model.
 */
async function showSamples(
  model: SavedModel, parts: WorkspaceParts, heldOut: { path: string; text: string }[], threshold: number, log: (s: string) => void,
): Promise<void> {
  const { kernels } = await createKernels({ threads: 1 });
  const record = model.meta.training?.heldOut;
  const { source, why } = suggestsWith(record);
  const samples = ghostTextSamples(kernels, model, parts, heldOut, { threshold, source });
  kernels.dispose();
  log(`What the editor shows in held-out files (${why}; confidence ${threshold}, nothing when unsure):`);
  log('  file:line  typed│ghost text   (the line in the file)');
  for (const s of samples) {
    const ghost = s.shown ? `│${s.shown}` : '│  (nothing shown: not sure enough)';
    log(`  ${s.path}:${s.line}  ${s.typed.trimStart()}${ghost}   (${s.typed.trimStart()}${s.real})`);
  }
  const g = record?.ghostText;
  if (g) {
    const f = source === 'mixed' ? g.inkling : g.ngramPart;
    log(`Typing ${g.typedChars} characters of ${g.files} held-out file(s): ${f.suggestions} suggestions, precision ${pc(f.precision)} ` +
      `(${f.charsRight} of the ${f.charsShown} characters shown were right), recall ${pc(f.recall)} (of the characters typed), ` +
      `${pc(f.fullAcceptRate)} right in full` +
      (source === 'mixed' ? `; the n-gram/match part alone: precision ${pc(g.ngramPart.precision)}, recall ${pc(g.ngramPart.recall)}.` : '.'));
  }
}

function round(x: number, d: number): number {
  return Number.isFinite(x) ? Number(x.toFixed(d)) : x;
}
