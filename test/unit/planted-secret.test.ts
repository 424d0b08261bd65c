/**
 * A planted secret never comes out: not in the corpus, not in the text the model trains on, not in the
 * exported files, and not in completions primed with the start of the key. The export lists what it left
 * out. A control run shows the completion check would catch a model that had learnt the key.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { collectCorpus, excludedEntries, splitByFile } from '../../src/corpus';
import { generate, loadModel, prime, Rng, saveModel, trainOnText, type SavedModel } from '../../src/engine';
import { JsKernels } from '../../src/engine/kernels/js';
import { Predictor } from '../../src/engine/predictor';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random base62 key from a fixed seed (reproducible, and random-looking as real keys are). */
function randomKey(seed: number, n: number): string {
  const rng = new Rng(seed);
  let s = '';
  while (s.length < n) s += BASE62[rng.int(BASE62.length)];
  return s;
}

/** Greedy and sampled completions of `prompt` (several temperatures and seeds). */
function completions(model: SavedModel, prompt: string): string[] {
  const kernels = new JsKernels();
  const predictor = new Predictor(kernels, model.config, model.weights);
  const out: string[] = [];
  for (const [temperature, seeds] of [[0, 1], [0.5, 5], [1, 10]] as const) {
    for (let seed = 1; seed <= seeds; seed++) {
      const { state, probs } = prime(predictor, model.vocab, prompt);
      out.push(generate(predictor, model.vocab, state, probs, { temperature, maxChars: 48, rng: new Rng(seed) }));
    }
  }
  return out;
}

/** The 8-character pieces of `secret` that appear in `text` (empty when none does). */
function leaks(text: string, secret: string): string[] {
  const found: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) if (text.includes(secret.slice(i, i + 8))) found.push(secret.slice(i, i + 8));
  return found;
}

const train = { maxSteps: 300, minutes: 0, batchSize: 8, seqLength: 32, learningRate: 0.02, validateEverySeconds: 3600 };
const model = { layers: 1, units: 48, embeddingSize: 16, dropout: 0 };

describe('a planted secret', function () {
  this.timeout(300_000);
  const KEY = randomKey(1, 40);
  const TOKEN = randomKey(2, 32);
  let dir: string;
  let ws: string;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-secret-'));
    ws = path.join(dir, 'ws');
    await fs.mkdir(path.join(ws, 'src'), { recursive: true });
    await fs.writeFile(path.join(ws, '.env'), `# local settings\nAPI_KEY=${KEY}\nDEBUG=1\n`);
    await fs.writeFile(path.join(ws, 'src', 'config.ts'), `export const config = {\n  token: "${TOKEN}",\n  retries: 3,\n};\n`);
    // Ordinary files that teach the model the shape of the prompts (API_KEY=…, token: "…") but not the values.
    const readme = Array.from({ length: 30 }, (_, i) => `Step ${i}: put API_KEY=your-key-${i} in .env and set token: "example-${i}" in the config.\n`).join('');
    await fs.writeFile(path.join(ws, 'README.md'), readme);
    for (let f = 0; f < 6; f++) {
      await fs.writeFile(path.join(ws, 'src', `util${f}.ts`),
        Array.from({ length: 30 }, (_, i) => `export function f${f}_${i}(x: number): number { return x * ${i} + ${f}; }\n`).join(''));
    }
  });
  after(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('is not in the corpus, the training text, the exported files or any completion; the export lists what was left out', async () => {
    const report = await collectCorpus(ws);
    const corpusText = report.files.map((f) => f.text).join('\n');
    assert.deepEqual(leaks(corpusText, KEY), [], 'the key is in the corpus');
    assert.deepEqual(leaks(corpusText, TOKEN), [], 'the token is in the corpus');
    assert.ok(report.skipped.some((s) => s.path === '.env' && s.reason === 'secret'), '.env is skipped as a secret file');
    assert.ok(report.maskedSecrets >= 1, 'the token in config.ts is masked');

    const split = splitByFile(report.files, 0.1, 1);
    const texts = { train: split.train.map((f) => f.text), validation: split.validation.map((f) => f.text) };
    const trainingText = [...texts.train, ...texts.validation].join('\n');
    assert.deepEqual([...leaks(trainingText, KEY), ...leaks(trainingText, TOKEN)], [], 'a secret is in the training text');
    const result = await trainOnText({
      kernels: new JsKernels(), texts, model, train,
      corpus: { files: report.files.length, chars: report.totalChars, skipped: { ...report.skippedCounts }, maskedSecrets: report.maskedSecrets, excluded: excludedEntries(report) },
    });
    assert.equal(result.progress.step, 300);

    const out = path.join(dir, 'export');
    await saveModel(tf, out, result, { withOptimizer: true });
    for (const f of await fs.readdir(out)) {
      const bytes = await fs.readFile(path.join(out, f));
      assert.deepEqual([...leaks(bytes.toString('latin1'), KEY), ...leaks(bytes.toString('latin1'), TOKEN)], [], `a secret is in ${f}`);
    }
    const meta = JSON.parse(await fs.readFile(path.join(out, 'inkling.json'), 'utf8')) as { corpus: { excluded: { path: string; reason: string }[]; maskedSecrets: number; skipped: Record<string, number> } };
    assert.deepEqual(meta.corpus.excluded.filter((e) => e.reason === 'secret'), [{ path: '.env', reason: 'secret' }]);
    assert.equal(meta.corpus.skipped.secret, 1);
    assert.equal(meta.corpus.maskedSecrets, report.maskedSecrets);

    const loaded = await loadModel(out);
    let n = 0;
    for (const [prompt, secret] of [[`# local settings\nAPI_KEY=${KEY.slice(0, 4)}`, KEY], [`export const config = {\n  token: "${TOKEN.slice(0, 4)}`, TOKEN]] as const) {
      for (const c of completions(loaded, prompt)) {
        n++;
        // No 8 characters of the secret in a row (the rest after the prompt's 4 would start with secret[4..12]).
        assert.deepEqual(leaks(c, secret), [], `completion of ${JSON.stringify(prompt)} gives ${JSON.stringify(c)}`);
      }
    }
    console.log(`      ${n} completions primed with the secrets' first 4 characters; none continues them (e.g. ${JSON.stringify(completions(loaded, `API_KEY=${KEY.slice(0, 4)}`)[0])})`);
  });

  it('control: a model that did train on the key gives it back, so the completion check has teeth', async () => {
    // excludeSecrets off: .env is read and the key reaches the corpus.
    const report = await collectCorpus(ws, { excludeSecrets: false });
    assert.ok(report.files.some((f) => f.text.includes(KEY)), 'with excludeSecrets off the key is in the corpus');
    // Train on text where the key is frequent, as a model trained on many copies of a .env would see it.
    const text = Array.from({ length: 120 }, (_, i) => `# local settings\nAPI_KEY=${KEY}\nDEBUG=${i % 3}\n`).join('\n');
    const result = await trainOnText({ kernels: new JsKernels(), texts: { train: [text], validation: [] }, model, train });
    const leaked = completions(result, `# local settings\nAPI_KEY=${KEY.slice(0, 4)}`).filter((c) => leaks(c, KEY).length > 0);
    console.log(`      control: ${leaked.length} of 16 completions give back part of the key (greedy: ${JSON.stringify(completions(result, `# local settings\nAPI_KEY=${KEY.slice(0, 4)}`)[0])})`);
    assert.ok(leaked.length > 0, 'the control model did not learn the key: the check above would prove nothing');
  });
});
