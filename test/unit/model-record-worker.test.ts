/**
 * A model is only ever replaced by a better one, through the real bundled training worker (dist/): a resumed run
 * that does worse, a fine-tune that does worse, an import that is worse all keep the stored model and say why; a
 * fine-tune that does better is kept with the figure measured on its own weights; a stored model that fails to load
 * is not overwritten.
 */
import assert from 'node:assert/strict';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectCorpus, splitByFile } from '../../src/corpus';
import { hash53 } from '../../src/corpus/hash';
import { DEFAULT_TRAIN, resolveTrainConfig } from '../../src/shared/modelConfig';
import { loadModel, saveModel } from '../../src/engine/format';
import { JsKernels } from '../../src/engine/kernels/js';
import { DOCUMENT_SEPARATOR } from '../../src/engine/pipeline';
import { createValidator } from '../../src/engine/trainer';
import { loadTf } from '../../src/engine/tfjs/load';
import type { TrainingEvent } from '../../src/shared/protocol';
import { TrainingClient } from '../../src/host/trainingClient';
import { repoRoot } from '../helpers/paths';

const dist = path.join(repoRoot, 'dist');
const CORPUS = { include: ['**/*'], exclude: [], maxTotalBytes: 1 << 20 };
const MODEL = { cell: 'lstm' as const, layers: 1, units: 32 };
const TRAIN = { minutes: 0, batchSize: 8, seqLength: 32, validateEverySeconds: 3600, validationChars: 4000 };

/** The stored model's figure, measured here on the workspace's held-out files (as the worker splits them). */
async function measured(ws: string, modelDir: string): Promise<number> {
  const report = await collectCorpus(ws, CORPUS);
  const split = splitByFile(report.files, DEFAULT_TRAIN.validationFraction, DEFAULT_TRAIN.seed);
  const m = await loadModel(modelDir);
  const cfg = resolveTrainConfig(m.meta.training!.config);
  const tokens = m.vocab.encode(split.validation.map((f) => f.text).join(DOCUMENT_SEPARATOR));
  return createValidator(new JsKernels(), m.config, cfg, tokens)!(m.weights);
}

async function bytes(modelDir: string): Promise<string> {
  const parts = await Promise.all(['weights.bin', 'inkling.json', 'optimizer.bin'].map((f) => fs.readFile(path.join(modelDir, f)).then((b) => b.toString('base64'), () => '-')));
  return parts.join('|');
}

describe('model record through the training worker (issue 12)', function () {
  this.timeout(300_000);
  let dir: string;
  let ws: string;
  let client: TrainingClient;
  const events: TrainingEvent[] = [];

  before(async function () {
    if (!existsSync(path.join(dist, 'trainingWorker.js'))) throw new Error('dist/trainingWorker.js is missing: run npm run build first');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-record-'));
    ws = path.join(dir, 'ws');
    await fs.mkdir(path.join(ws, 'src'), { recursive: true });
    const line = (i: number) => `export function add${i}(a: number, b: number): number { return a * ${i % 7} + b; }\n`;
    for (let f = 0; f < 10; f++) await fs.writeFile(path.join(ws, 'src', `m${f}.ts`), Array.from({ length: 60 }, (_, i) => line(f * 100 + i)).join(''));
    client = new TrainingClient(path.join(dist, 'trainingWorker.js'));
    client.onEvent((e) => events.push(e));
  });
  after(async () => {
    client?.dispose();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const trainJob = (modelDir: string, resume: boolean, train: object) => client.run({
    type: 'train', roots: [ws], modelDir, resume, corpus: CORPUS, model: MODEL, train: { ...TRAIN, ...train }, kernels: 'wasm',
  });

  it('a resumed run that does worse keeps the stored model, and says so', async () => {
    const modelDir = path.join(dir, 'resume');
    const first = await trainJob(modelDir, false, { maxSteps: 500, learningRate: 0.01 });
    assert.equal(first.type, 'done', JSON.stringify(first).slice(0, 300));
    const before = await bytes(modelDir);
    const figure = await measured(ws, modelDir);
    // The workspace now trains mostly on noise (the new files all land in training: the held-out files stay the same).
    const noiseDir = path.join(ws, 'noise');
    await fs.mkdir(noiseDir);
    for (let k = 0, made = 0; made < 30; k++) {
      if (hash53(`noise/n${k}.txt`, DEFAULT_TRAIN.seed) / 2 ** 53 < DEFAULT_TRAIN.validationFraction) continue; // would be held out
      made++;
      await fs.writeFile(path.join(noiseDir, `n${k}.txt`), Array.from({ length: 3000 }, (_, i) => (i % 40 === 39 ? '\n' : 'qz#@!~^%&|'[(i * 7919 + k) % 10])).join(''));
    }
    const report = await collectCorpus(ws, CORPUS);
    const heldOut = splitByFile(report.files, DEFAULT_TRAIN.validationFraction, DEFAULT_TRAIN.seed).validation.map((f) => f.path);
    const again = await trainJob(modelDir, true, { maxSteps: 30, learningRate: 1 });
    await fs.rm(noiseDir, { recursive: true });
    assert.ok(again.type === 'done', JSON.stringify(again).slice(0, 300));
    console.log(`      stored ${figure.toFixed(4)}; ${again.kept ?? JSON.stringify(again).slice(0, 400)}`);
    assert.match(again.kept ?? '', /did not beat the stored model.*the stored model is kept/);
    assert.equal(await bytes(modelDir), before, 'the stored record is untouched');
    assert.ok(heldOut.every((p) => p.startsWith('src/')), `held out: ${heldOut.join(', ')}`);
  });

  it('a fine-tune that does worse is discarded; one that does better is kept with the figure measured on its weights', async () => {
    const modelDir = path.join(dir, 'finetune');
    const first = await trainJob(modelDir, false, { maxSteps: 40, learningRate: 0.01 });
    assert.equal(first.type, 'done');
    // Worse: noise at a learning rate far too high (the fine-tune uses a quarter of the stored one).
    const meta = JSON.parse(readFileSync(path.join(modelDir, 'inkling.json'), 'utf8'));
    meta.training.config.learningRate = 1;
    await fs.writeFile(path.join(modelDir, 'inkling.json'), JSON.stringify(meta));
    // A saved file of noise that lands in training (a held-out name would not be learned from at all).
    let name = 'noise.txt';
    for (let k = 0; hash53(name, DEFAULT_TRAIN.seed) / 2 ** 53 < DEFAULT_TRAIN.validationFraction; k++) name = `noise${k}.txt`;
    const noise = path.join(ws, name);
    await fs.writeFile(noise, Array.from({ length: 4000 }, (_, i) => (i % 40 === 39 ? '\n' : 'qz#@!~^%&|'[(i * 7919) % 10])).join(''));
    const before = await bytes(modelDir);
    const worse = await client.run({ type: 'finetune', files: [{ root: ws, paths: [name] }], modelDir, maxSteps: 20, kernels: 'wasm', roots: [ws], corpus: CORPUS });
    assert.ok(worse.type === 'done', JSON.stringify(worse).slice(0, 300));
    console.log(`      worse: ${worse.kept ?? JSON.stringify(worse).slice(0, 400)}`);
    assert.match(worse.kept ?? '', /not better on the held-out files.*discarded/);
    assert.equal(await bytes(modelDir), before, 'the stored record is untouched');
    await fs.rm(noise);

    // Better: an undertrained model, a sensible rate, a training file like the held-out ones.
    meta.training.config.learningRate = 0.02;
    await fs.writeFile(path.join(modelDir, 'inkling.json'), JSON.stringify(meta));
    const base = await measured(ws, modelDir);
    const report = await collectCorpus(ws, CORPUS);
    const split = splitByFile(report.files, DEFAULT_TRAIN.validationFraction, DEFAULT_TRAIN.seed);
    const better = await client.run({ type: 'finetune', files: [{ root: ws, paths: split.train.slice(0, 3).map((f) => f.path) }], modelDir, maxSteps: 20, kernels: 'wasm', roots: [ws], corpus: CORPUS });
    assert.ok(better.type === 'done' && better.model, JSON.stringify(better).slice(0, 300));
    assert.equal(better.kept, undefined, `kept: ${better.kept}`);
    const now = await measured(ws, modelDir);
    console.log(`      better: base ${base.toFixed(4)} → fine-tuned ${now.toFixed(4)}; shown ${better.model.validationBitsPerChar?.toFixed(4)}`);
    assert.ok(now < base);
    assert.ok(Math.abs(better.model.validationBitsPerChar! - now) < 1e-4, 'the figure shown is the one measured on the fine-tuned weights');
    assert.ok(Math.abs((await loadModel(modelDir)).meta.training!.validationBitsPerChar! - now) < 1e-4, 'and the one stored with them');
  });

  it('an import that is worse on the held-out files is refused with the reason; the current model stays', async () => {
    const modelDir = path.join(dir, 'import');
    assert.equal((await trainJob(modelDir, false, { maxSteps: 120, learningRate: 0.01 })).type, 'done');
    const weak = path.join(dir, 'weak');
    assert.equal((await trainJob(weak, false, { maxSteps: 5, learningRate: 0.01 })).type, 'done');
    const before = await bytes(modelDir);
    const r = await client.run({ type: 'import', from: weak, modelDir, roots: [ws], corpus: CORPUS });
    assert.ok(r.type === 'error', JSON.stringify(r).slice(0, 300));
    console.log(`      ${r.message}`);
    assert.match(r.message, /worse than the current model's .*the current model is kept/);
    assert.equal(await bytes(modelDir), before);
    // The better one the other way round is accepted, and the reason is given.
    const ok = await client.run({ type: 'import', from: modelDir, modelDir: weak, roots: [ws], corpus: CORPUS });
    assert.ok(ok.type === 'done' && /imported: it scores/.test(ok.warning ?? ''), JSON.stringify(ok).slice(0, 300));
  });

  it('a stored model that fails to load is not overwritten by Train: the run fails with the reason', async () => {
    const modelDir = path.join(dir, 'broken');
    assert.equal((await trainJob(modelDir, false, { maxSteps: 10 })).type, 'done');
    await fs.truncate(path.join(modelDir, 'weights.bin'), 100);
    const before = await bytes(modelDir);
    const r = await trainJob(modelDir, true, { maxSteps: 10 });
    assert.ok(r.type === 'error', JSON.stringify(r).slice(0, 300));
    assert.equal(r.code, 'model-unreadable');
    assert.match(r.message, /the stored model cannot be loaded \(weight files hold 100 bytes/);
    assert.equal(await bytes(modelDir), before, 'nothing was written');
    void loadTf; void saveModel;
  });
});
