/**
 * On-disk model format. A model folder holds:
 *
 * - `model.json` + `weights.bin`: a standard TF.js LayersModel (`tf.loadLayersModel` loads it as is);
 * - `inkling.json`: {@link ModelMetadata} — the vocabulary (needed to turn text into ids), the model and
 *   training configuration, validation bits per character, corpus statistics and the format version;
 * - `optimizer.bin` (checkpoints only): Adam's moments, so training can resume.
 *
 * Saving is atomic for the folder: everything is written to a sibling temporary folder, flushed, and swapped
 * in with renames, so an interrupted save leaves the previous model loadable. Loading validates sizes and
 * shapes before allocating anything and reports one clear {@link ModelFormatError}.
 */
import type { HeldOutComparison } from '../shared/progress';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { validateModelConfig, type ModelConfig, type TrainConfig } from '../shared/modelConfig';
import type { AdamState } from './optimizer';
import { paramLayout, totalSize } from './params';
import { Vocabulary, type VocabularyJSON } from './vocab';
import { layersModelArtifacts, type TF } from './tfjs/layersModel';
import { show } from '../shared/show';
import { fsErrorCode, type PlatformFs } from '../shared/platform';

export const FORMAT_NAME = 'inkling-model';
export const FORMAT_VERSION = 1;
const MAX_JSON_BYTES = 16 << 20;
const WEIGHTS_FILE = 'weights.bin';
const OPTIMIZER_FILE = 'optimizer.bin';

export interface TrainingSummary {
  config: TrainConfig;
  steps: number;
  epochs: number;
  elapsedSec: number;
  charsPerSec: number;
  backend: string;
  trainBitsPerChar: number;
  validationBitsPerChar: number | null;
  stopReason: string;
  /** Optimiser steps taken, for resuming the learning-rate schedule and Adam's bias correction. */
  optimizerStep?: number;
  /** Held-out characters outside the vocabulary (scored as the unknown id; not part of validationBitsPerChar). */
  validationUnknownChars?: number;
  /** Training time of every run that built these weights (resumed runs add theirs), in seconds. */
  totalSec?: number;
  /** Where the learning-rate schedule stood at these weights (fraction used), so a resume continues it. */
  scheduleAt?: number;
  /** These weights on the held-out files, scored as suggestions are made (see `src/eval/heldOut.ts`). */
  heldOut?: HeldOutComparison;
}

export type { HeldOutComparison } from '../shared/progress';

export interface CorpusSummary {
  files: number;
  chars: number;
  trainChars: number;
  validationChars: number;
  validationFiles: number;
  skipped: Record<string, number>;
  /** Secret-looking tokens masked in the kept text (the values are never stored). */
  maskedSecrets: number;
  /**
   * Files and folders not trained on, with the reason (`secret`, `binary`, `ignored`…): a sample of at most 50
   * per reason (`skipped` has the complete counts). Paths only, relative to the workspace folder.
   */
  excluded?: { path: string; reason: string }[];
}

export interface ModelMetadata {
  format: typeof FORMAT_NAME;
  formatVersion: number;
  inklingVersion: string;
  createdAt: string;
  model: ModelConfig;
  vocabulary: VocabularyJSON;
  training?: TrainingSummary;
  corpus?: CorpusSummary;
}

export interface SavedModel {
  config: ModelConfig;
  vocab: Vocabulary;
  /** Flat weights in {@link paramLayout} order. */
  weights: Float32Array;
  meta: ModelMetadata;
  optimizer?: AdamState;
}

/**
 * A model that does not fit where it is saved (the browser's storage quota for the site, or a full disk): nothing
 * was replaced, the previous model is kept.
 */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
  constructor(readonly needed: number, readonly free: number | undefined) {
    super(`the model (${megabytes(needed)}) does not fit in the storage left${free === undefined ? '' : ` (${megabytes(free)} free)`}: ` +
      'it was not saved and the previous model is kept; free some storage (in the browser: this site\'s storage), or train a smaller model (fewer units or layers)');
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MB`;
}

export class ModelFormatError extends Error {
  override name = 'ModelFormatError';
}

export function makeMetadata(
  config: ModelConfig, vocab: Vocabulary, version: string,
  extra: { training?: TrainingSummary; corpus?: CorpusSummary } = {},
): ModelMetadata {
  return {
    format: FORMAT_NAME, formatVersion: FORMAT_VERSION, inklingVersion: version,
    createdAt: new Date().toISOString(), model: config, vocabulary: vocab.toJSON(), ...extra,
  };
}

let saveCounter = 0;

/**
 * Writes a model folder atomically. `optimizer` is included for checkpoints that should resume.
 *
 * Every file goes into a fresh sibling folder `<dir>.tmp-<pid>-<n>` and is flushed (the folder too), then the
 * folder is swapped in by renames: `<dir>` → `<dir>.old`, temporary → `<dir>`, and `<dir>.old` removed. At any
 * moment at least one complete model is on disk: `<dir>`, or (between the two renames) `<dir>.old`, which
 * {@link loadModel} falls back to. Temporary folders left by a process that died mid-save are removed by the
 * next save.
 */
export async function saveModel(tf: TF, dir: string, model: SavedModel, opts: { withOptimizer?: boolean; fs?: PlatformFs } = {}): Promise<void> {
  const io = opts.fs ? platformIo(opts.fs) : nodeIo;
  const target = path.resolve(dir);
  await io.mkdirp(path.dirname(target));
  await io.removeStaleTemporaries(target);
  // Everything to write, built first: its size is checked against the space the platform says is left (the
  // browser's quota) before anything is written; the previous model stays either way until the new one is complete.
  const art = await layersModelArtifacts(tf, model.config, model.weights);
  const modelJson = {
    format: 'layers-model',
    generatedBy: art.generatedBy ?? 'TensorFlow.js',
    convertedBy: `Inkling ${model.meta.inklingVersion}`,
    modelTopology: art.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: art.weightSpecs }],
  };
  const files: [string, string | Uint8Array][] = [[WEIGHTS_FILE, new Uint8Array(art.weightData)], ['model.json', JSON.stringify(modelJson)]];
  const meta: ModelMetadata = { ...model.meta, training: model.meta.training && { ...model.meta.training } };
  if (opts.withOptimizer && model.optimizer) {
    const { m, v, step } = model.optimizer;
    const buf = new Float32Array(m.length + v.length);
    buf.set(m);
    buf.set(v, m.length);
    files.push([OPTIMIZER_FILE, new Uint8Array(buf.buffer)]);
    if (meta.training) meta.training.optimizerStep = step;
  }
  files.push(['inkling.json', JSON.stringify(meta, null, 2)]);
  const needed = files.reduce((n, [, d]) => n + (typeof d === 'string' ? new TextEncoder().encode(d).length : d.length), 0);
  const free = await io.freeBytes(target);
  if (free !== undefined && free < needed) throw new StorageFullError(needed, free);
  const tmp = `${target}${TMP_INFIX}${io.pid}-${Date.now()}-${++saveCounter}`;
  await io.mkdirp(tmp);
  try {
    for (const [name, data] of files) await io.writeFlushed(path.join(tmp, name), data);
    await io.syncDir(tmp);
    await swapIn(io, tmp, target);
  } catch (e) {
    await io.rm(tmp).catch(() => undefined);
    if (fsErrorCode(e) === 'ENOSPC') throw new StorageFullError(needed, free);
    throw e;
  }
}

const TMP_INFIX = '.tmp-';

/** The file operations of saving and loading: Node's (with fsync and pids), or a {@link PlatformFs}'s. */
interface ModelIo {
  /** Part of temporary folder names: the process id in Node (a dead process's leftovers are removed). */
  readonly pid: number;
  mkdirp(dir: string): Promise<void>;
  writeFlushed(file: string, data: string | Uint8Array): Promise<void>;
  syncDir(dir: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(p: string): Promise<void>;
  exists(p: string): Promise<boolean>;
  removeStaleTemporaries(target: string): Promise<void>;
  /** Bytes that can still be written there, where the platform knows (the browser's quota); else undefined. */
  freeBytes(target: string): Promise<number | undefined>;
  /** Size of a regular file; rejects (with a code) when missing, `isFile` false when a folder. */
  stat(file: string): Promise<{ size: number; isFile: boolean }>;
  readExactly(file: string, label: string, into: Uint8Array): Promise<void>;
}

const nodeIo: ModelIo = {
  pid: typeof process === 'object' ? process.pid : 0,
  mkdirp: async (dir) => { await fs.mkdir(dir, { recursive: true }); },
  writeFlushed,
  syncDir,
  rename: (from, to) => fs.rename(from, to),
  rm: (p) => fs.rm(p, { recursive: true, force: true }),
  exists,
  removeStaleTemporaries,
  freeBytes: async () => undefined, // a full disk shows as ENOSPC on write
  stat: async (file) => {
    const st = await fs.stat(file);
    return { size: st.size, isFile: st.isFile() };
  },
  readExactly,
};

/**
 * Saving and loading through a {@link PlatformFs} (the browser's `workspace.fs`): the same folder swap by renames,
 * so an interrupted save still leaves a loadable model; no fsync (the platform's storage decides), and every
 * leftover temporary folder is removed at the next save (one compute side saves a folder at a time).
 */
function platformIo(pfs: PlatformFs): ModelIo {
  return {
    pid: 0,
    mkdirp: (dir) => pfs.createDirectory(dir),
    writeFlushed: (file, data) => pfs.writeFile(file, typeof data === 'string' ? new TextEncoder().encode(data) : data),
    syncDir: async () => undefined,
    rename: (from, to) => pfs.rename(from, to),
    rm: (p) => pfs.delete(p),
    exists: (p) => pfs.stat(p).then(() => true, () => false),
    async removeStaleTemporaries(target) {
      const prefix = `${path.basename(target)}${TMP_INFIX}`;
      const entries = await pfs.readDirectory(path.dirname(target)).catch(() => []);
      for (const e of entries) if (e.name.startsWith(prefix)) await pfs.delete(path.join(path.dirname(target), e.name));
    },
    freeBytes: async (target) => (pfs.freeBytes ? pfs.freeBytes(target).catch(() => undefined) : undefined),
    stat: async (file) => {
      const st = await pfs.stat(file);
      return { size: st.size, isFile: st.kind === 'file' };
    },
    async readExactly(file, label, into) {
      let bytes: Uint8Array;
      try {
        bytes = await pfs.readFile(file);
      } catch (e) {
        throw new ModelFormatError(`${label} cannot be read (${fsErrorCode(e)})`);
      }
      if (bytes.length !== into.length) throw new ModelFormatError(`${label} changed while it was read`);
      into.set(bytes);
    },
  };
}

async function writeFlushed(file: string, data: string | Uint8Array): Promise<void> {
  const fh = await fs.open(file, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Flushes a directory's entries (new files, renames) to disk. Not possible on every platform (Windows): then a no-op. */
async function syncDir(dir: string): Promise<void> {
  let fh: Awaited<ReturnType<typeof fs.open>> | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF' && code !== 'EACCES') throw e;
  } finally {
    await fh?.close();
  }
}

/**
 * Replaces `target` with the complete folder `tmp`: target → target.old, tmp → target, then removes target.old.
 * When `target` is missing but `target.old` exists, an earlier save died between its two renames and
 * `target.old` is the only complete model: it is kept until `tmp` is in place.
 */
async function swapIn(io: ModelIo, tmp: string, target: string): Promise<void> {
  const old = `${target}.old`;
  if (await io.exists(target)) {
    // `target` is complete (it only ever appears by a rename of a complete folder), so any `.old` is a leftover.
    await io.rm(old);
    await io.rename(target, old);
  }
  await io.rename(tmp, target);
  await io.syncDir(path.dirname(target));
  await io.rm(old);
}

/**
 * Removes `<target>.tmp-<pid>-…` folders of saves that can no longer finish: their process is gone, or it is
 * this process (saves of one folder are not run concurrently).
 */
async function removeStaleTemporaries(target: string): Promise<void> {
  const prefix = `${path.basename(target)}${TMP_INFIX}`;
  let names: string[];
  try {
    names = await fs.readdir(path.dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || (pid !== process.pid && isAlive(pid))) continue;
    await fs.rm(path.join(path.dirname(target), name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(() => true, () => false);
}

/**
 * Loads and validates a model folder. If the folder is missing but an interrupted save left `<dir>.old`,
 * that previous model is loaded.
 */
export async function loadModel(dir: string, opts: { withOptimizer?: boolean; fs?: PlatformFs } = {}): Promise<SavedModel> {
  const io = opts.fs ? platformIo(opts.fs) : nodeIo;
  let folder = path.resolve(dir);
  if (!(await io.exists(path.join(folder, 'inkling.json'))) && (await io.exists(path.join(`${folder}.old`, 'inkling.json')))) {
    folder = `${folder}.old`;
  }
  const meta = parseMetadata(await readJson(io, path.join(folder, 'inkling.json'), 'inkling.json'));
  const config = meta.model;
  let vocab: Vocabulary;
  try {
    vocab = Vocabulary.fromJSON(meta.vocabulary);
  } catch (e) {
    throw new ModelFormatError(`inkling.json: ${(e as Error).message}`);
  }
  if (vocab.size !== config.vocabSize) {
    throw new ModelFormatError(`the vocabulary has ${vocab.size} entries but the model expects ${config.vocabSize}`);
  }
  const modelJson = await readJson(io, path.join(folder, 'model.json'), 'model.json');
  const weights = await readWeights(io, folder, modelJson, config);
  const saved: SavedModel = { config, vocab, weights, meta };
  if (opts.withOptimizer && meta.training?.optimizerStep !== undefined) {
    saved.optimizer = await readOptimizer(io, folder, weights.length, meta.training.optimizerStep);
  }
  return saved;
}

/** Size of a regular file, or a {@link ModelFormatError} naming it when it is missing or not a file. */
async function fileSize(io: ModelIo, file: string, label: string): Promise<number> {
  let stat;
  try {
    stat = await io.stat(file);
  } catch {
    throw new ModelFormatError(`${label} is missing in ${path.dirname(file)}`);
  }
  if (!stat.isFile) throw new ModelFormatError(`${label} in ${path.dirname(file)} is not a file`);
  return stat.size;
}

/** Reads exactly `into.length` bytes of `file` into `into`. */
async function readExactly(file: string, label: string, into: Uint8Array): Promise<void> {
  try {
    const fh = await fs.open(file, 'r');
    try {
      let at = 0;
      while (at < into.length) {
        const { bytesRead } = await fh.read(into, at, into.length - at, at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      if (at !== into.length) throw new ModelFormatError(`${label} changed while it was read`);
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(`${label} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

async function readJson(io: ModelIo, file: string, label: string): Promise<unknown> {
  const size = await fileSize(io, file, label);
  if (size > MAX_JSON_BYTES) throw new ModelFormatError(`${label} is ${size} bytes; at most ${MAX_JSON_BYTES} are accepted`);
  const bytes = new Uint8Array(size);
  await io.readExactly(file, label, bytes);
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ModelFormatError(`${label} is not valid JSON (${(e as Error).message})`);
  }
}

/** Checks inkling.json's header, version and model configuration (ranges included) without allocating. */
export function parseMetadata(raw: unknown): ModelMetadata {
  if (typeof raw !== 'object' || raw === null) throw new ModelFormatError('inkling.json must hold an object');
  const r = raw as Partial<ModelMetadata>;
  if (r.format !== FORMAT_NAME) throw new ModelFormatError(`inkling.json is not an Inkling model (format ${show(r.format)})`);
  if (typeof r.formatVersion !== 'number' || !Number.isInteger(r.formatVersion) || r.formatVersion < 1) {
    throw new ModelFormatError(`inkling.json has no valid formatVersion (${show(r.formatVersion)})`);
  }
  if (r.formatVersion > FORMAT_VERSION) {
    throw new ModelFormatError(`this model was written by a newer Inkling (format ${r.formatVersion}; this version reads up to ${FORMAT_VERSION}); update Inkling to use it`);
  }
  let model: ModelConfig;
  try {
    model = validateModelConfig(r.model);
  } catch (e) {
    throw new ModelFormatError(`inkling.json: ${(e as Error).message}`);
  }
  const training = r.training as Partial<TrainingSummary> | undefined | null;
  if (training !== undefined && (typeof training !== 'object' || training === null)) {
    throw new ModelFormatError('inkling.json: training must be an object');
  }
  const step = training?.optimizerStep;
  if (step !== undefined && !(typeof step === 'number' && Number.isInteger(step) && step >= 0 && step <= Number.MAX_SAFE_INTEGER)) {
    throw new ModelFormatError(`inkling.json: training.optimizerStep must be a whole number >= 0, got ${show(step)}`);
  }
  return { ...(r as ModelMetadata), model };
}

interface ManifestGroup { paths: string[]; weights: { name: string; shape: number[]; dtype?: string }[] }

async function readWeights(io: ModelIo, folder: string, modelJson: unknown, config: ModelConfig): Promise<Float32Array> {
  const mj = modelJson as { format?: unknown; modelTopology?: unknown; weightsManifest?: unknown };
  if (typeof mj !== 'object' || mj === null || !Array.isArray(mj.weightsManifest)) {
    throw new ModelFormatError('model.json has no weightsManifest');
  }
  checkTopology(mj.modelTopology, config);
  const expected = paramLayout(config);
  const specs: { name: string; shape: number[] }[] = [];
  const files: string[] = [];
  for (const g of mj.weightsManifest as ManifestGroup[]) {
    if (!g || !Array.isArray(g.paths) || !Array.isArray(g.weights)) throw new ModelFormatError('model.json has a malformed weightsManifest');
    for (const p of g.paths) {
      if (typeof p !== 'string' || p === '' || p !== path.basename(p) || p.startsWith('.') || p.includes('\\')) {
        throw new ModelFormatError(`model.json names a weight file outside the model folder: ${show(p)}`);
      }
      files.push(p);
    }
    for (const w of g.weights) {
      if (!w || typeof w.name !== 'string' || !Array.isArray(w.shape)) throw new ModelFormatError('model.json has a malformed weight entry');
      if (w.dtype !== undefined && w.dtype !== 'float32') throw new ModelFormatError(`weight ${show(w.name)} has dtype ${show(w.dtype)}; only float32 is supported`);
      specs.push({ name: w.name, shape: w.shape });
    }
  }
  if (specs.length !== expected.length) {
    throw new ModelFormatError(`model.json lists ${specs.length} weights; a ${config.cell} model with ${config.layers} layer(s) has ${expected.length}`);
  }
  expected.forEach((e, i) => {
    const s = specs[i]!;
    if (s.name !== e.name || s.shape.length !== e.shape.length || s.shape.some((d, j) => d !== e.shape[j])) {
      throw new ModelFormatError(`weight ${i} is ${show(s.name)} ${show(s.shape)}; expected ${e.name} ${JSON.stringify(e.shape)}`);
    }
  });
  // Measure every file before allocating: a model.json that claims huge shapes gets no huge buffer.
  const needed = totalSize(expected) * 4;
  const sizes: number[] = [];
  let sum = 0;
  for (const f of files) {
    const size = await fileSize(io, path.join(folder, f), `weight file ${show(f)}`);
    sizes.push(size);
    sum += size;
  }
  if (sum > needed) throw new ModelFormatError(`weight files hold ${sum} bytes, more than the ${needed} bytes the model needs`);
  if (sum < needed) throw new ModelFormatError(`weight files hold ${sum} bytes; the model needs ${needed} (truncated?)`);
  const bytes = new Uint8Array(needed);
  let at = 0;
  for (const [i, f] of files.entries()) {
    await io.readExactly(path.join(folder, f), `weight file ${show(f)}`, bytes.subarray(at, at + sizes[i]!));
    at += sizes[i]!;
  }
  const weights = new Float32Array(bytes.buffer);
  for (let i = 0; i < weights.length; i++) {
    if (!Number.isFinite(weights[i]!)) throw new ModelFormatError(`weight ${i} is not a finite number`);
  }
  return weights;
}

/** The topology must be the layer stack {@link buildLayersModel} makes for this configuration. */
function checkTopology(topology: unknown, c: ModelConfig): void {
  const t = topology as { class_name?: string; config?: { layers?: { class_name?: string; config?: Record<string, unknown> }[] } };
  const layers = t?.config?.layers;
  if (!Array.isArray(layers)) throw new ModelFormatError('model.json has no layer list');
  const rnnClass = { lstm: 'LSTM', gru: 'GRU', rnn: 'SimpleRNN' }[c.cell];
  const known = new Set(['Embedding', 'LSTM', 'GRU', 'SimpleRNN', 'Dropout', 'Dense']);
  for (const layer of layers) {
    if (typeof layer?.class_name !== 'string' || !known.has(layer.class_name)) throw new ModelFormatError(`model.json has an unsupported layer ${show(layer?.class_name)}`);
  }
  const rnn = layers.filter((l) => ['LSTM', 'GRU', 'SimpleRNN'].includes(l.class_name!));
  if (rnn.length !== c.layers || rnn.some((l) => l.class_name !== rnnClass || l.config?.units !== c.units)) {
    throw new ModelFormatError(`model.json's recurrent layers do not match inkling.json (${c.layers} × ${rnnClass}(${c.units}))`);
  }
}

async function readOptimizer(io: ModelIo, folder: string, size: number, step: number): Promise<AdamState | undefined> {
  const file = path.join(folder, OPTIMIZER_FILE);
  if (!(await io.exists(file))) return undefined;
  const bytes = await fileSize(io, file, OPTIMIZER_FILE);
  if (bytes !== size * 8) throw new ModelFormatError(`${OPTIMIZER_FILE} has ${bytes} bytes; expected ${size * 8}`);
  const buf = new Uint8Array(bytes);
  await io.readExactly(file, OPTIMIZER_FILE, buf);
  const all = new Float32Array(buf.buffer);
  return { step, m: all.slice(0, size), v: all.slice(size) };
}
