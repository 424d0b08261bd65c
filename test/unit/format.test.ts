import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../src/shared/modelConfig';
import { loadModel, makeMetadata, ModelFormatError, saveModel, type SavedModel } from '../../src/engine/format';
import { JsKernels } from '../../src/engine/kernels/js';
import { initParams, paramLayout, ParamViews, totalSize } from '../../src/engine/params';
import { Predictor } from '../../src/engine/predictor';
import { Vocabulary } from '../../src/engine/vocab';
import { maxRelDiff } from '../helpers/tfRef';
import { repoRoot } from '../helpers/paths';

function makeModel(cell: ModelConfig['cell'], dropout = 0.1): SavedModel {
  const vocab = Vocabulary.fromText('Lorem ipsum dolor sit amet, consectetur.');
  const config: ModelConfig = { cell, layers: 2, units: 12, embeddingSize: 6, dropout, vocabSize: vocab.size };
  const specs = paramLayout(config);
  const weights = new Float32Array(totalSize(specs));
  initParams(config, new ParamViews(specs, weights), 11);
  return { config, vocab, weights, meta: makeMetadata(config, vocab, '0.0.0-test') };
}

describe('model format', () => {
  let dir: string;
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-format-')); });
  afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    it(`an exported ${cell} model loads with stock tf.loadLayersModel and predicts what the engine predicts`, async () => {
      const model = makeModel(cell);
      const out = path.join(dir, 'model');
      await saveModel(tf, out, model);
      const ids = Array.from(model.vocab.encode('Lorem ipsum dolor'));
      const stdout = execFileSync(process.execPath, [path.join(repoRoot, 'test', 'fixtures', 'stock-load.cjs'), out, ids.join(',')], {
        cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
      });
      const stock = Float32Array.from(JSON.parse(stdout) as number[]);
      // float32 inference, to compare with TF.js at float32 tolerance (int8 inference is tested in quantized.test).
      const predictor = new Predictor(new JsKernels(), model.config, (await loadModel(out)).weights, { quantize: false });
      const ours = predictor.feed(predictor.newState(), ids)!;
      assert.ok(maxRelDiff(ours, stock) < 1e-4, `difference ${maxRelDiff(ours, stock)}`);
    });
  }

  it('round-trips weights, vocabulary and metadata, and keeps the optimiser for checkpoints', async () => {
    const model = makeModel('gru', 0);
    model.optimizer = { step: 5, m: Float32Array.from(model.weights, (w) => w / 2), v: Float32Array.from(model.weights, (w) => w * w) };
    await saveModel(tf, path.join(dir, 'm'), model, { withOptimizer: true });
    model.meta.training = undefined;
    const loaded = await loadModel(path.join(dir, 'm'), { withOptimizer: true });
    assert.deepEqual(loaded.weights, model.weights);
    assert.deepEqual(loaded.vocab.toJSON(), model.vocab.toJSON());
    assert.deepEqual(loaded.config, model.config);
  });

  describe('rejects bad files with one clear error', () => {
    async function saved(): Promise<string> {
      const out = path.join(dir, 'bad');
      await saveModel(tf, out, makeModel('lstm'));
      return out;
    }
    async function editJson(file: string, edit: (j: any) => void): Promise<void> {
      const j = JSON.parse(await fs.readFile(file, 'utf8'));
      edit(j);
      await fs.writeFile(file, JSON.stringify(j));
    }

    it('a truncated weights file', async () => {
      const out = await saved();
      const w = path.join(out, 'weights.bin');
      await fs.truncate(w, (await fs.stat(w)).size - 10);
      await assert.rejects(loadModel(out), (e: Error) => e instanceof ModelFormatError && /truncated/.test(e.message));
    });
    it('wrong shapes in model.json', async () => {
      const out = await saved();
      await editJson(path.join(out, 'model.json'), (j) => { j.weightsManifest[0].weights[1].shape = [6, 40]; });
      await assert.rejects(loadModel(out), /expected rnn_1\/kernel/);
    });
    it('an unknown layer', async () => {
      const out = await saved();
      await editJson(path.join(out, 'model.json'), (j) => { j.modelTopology.config.layers[1].class_name = 'Attention'; });
      await assert.rejects(loadModel(out), /unsupported layer "Attention"/);
    });
    it('a vocabulary that does not match the model', async () => {
      const out = await saved();
      await editJson(path.join(out, 'inkling.json'), (j) => { j.vocabulary.chars.pop(); });
      await assert.rejects(loadModel(out), /vocabulary has/);
    });
    it('absurd sizes, before allocating anything', async () => {
      const out = await saved();
      await editJson(path.join(out, 'inkling.json'), (j) => { j.model.units = 1e7; });
      await assert.rejects(loadModel(out), /units must be from/);
    });
    it('a model from a newer version', async () => {
      const out = await saved();
      await editJson(path.join(out, 'inkling.json'), (j) => { j.formatVersion = 99; });
      await assert.rejects(loadModel(out), /newer Inkling/);
    });
    it('a weight file path that escapes the folder, and a non-JSON model.json', async () => {
      const out = await saved();
      await editJson(path.join(out, 'model.json'), (j) => { j.weightsManifest[0].paths = ['../secret.bin']; });
      await assert.rejects(loadModel(out), /outside the model folder/);
      await fs.writeFile(path.join(out, 'model.json'), '{not json');
      await assert.rejects(loadModel(out), /not valid JSON/);
    });
    it('model files that are folders, and an empty weight file name', async () => {
      const out = await saved();
      await editJson(path.join(out, 'model.json'), (j) => { j.weightsManifest[0].paths = ['']; });
      await assert.rejects(loadModel(out), (e: Error) => e instanceof ModelFormatError && /outside the model folder/.test(e.message));
      await editJson(path.join(out, 'model.json'), (j) => { j.weightsManifest[0].paths = ['weights.bin']; });
      await fs.rm(path.join(out, 'weights.bin'));
      await fs.mkdir(path.join(out, 'weights.bin'));
      await assert.rejects(loadModel(out), (e: Error) => e instanceof ModelFormatError && /weight file "weights.bin" .* is not a file/.test(e.message));
      await fs.rm(path.join(out, 'model.json'));
      await fs.mkdir(path.join(out, 'model.json'));
      await assert.rejects(loadModel(out), (e: Error) => e instanceof ModelFormatError && /model.json .* is not a file/.test(e.message));
    });
    it('a missing folder', async () => {
      await assert.rejects(loadModel(path.join(dir, 'nothing')), /inkling.json is missing/);
    });
  });

  it('an interrupted save leaves the previous model loadable', async () => {
    const out = path.join(dir, 'atomic');
    const model = makeModel('lstm');
    await saveModel(tf, out, model);
    // Simulate a crash between the two renames of the swap: only <dir>.old exists.
    await fs.rename(out, `${out}.old`);
    const loaded = await loadModel(out);
    assert.deepEqual(loaded.weights, model.weights);
  });
});
