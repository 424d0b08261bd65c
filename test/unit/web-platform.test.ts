// The browser's code paths, run in Node: the corpus read through a PlatformFs (with and without a findFiles-style
// listing) keeps and skips exactly what the desktop's reader does (.gitignore, secrets, binaries, dependency
// folders); a model saved and loaded through a PlatformFs is the same format; and the training and completion
// servers on one thread over the in-process channel (src/web/inProcess.ts) answer a completion request before the
// next training step.
import assert from 'node:assert/strict';
import { mkdtempSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectCorpus, judgeDocument } from '../../src/corpus';
import { StorageFullError, loadModel, saveModel } from '../../src/engine/format';
import { loadTf } from '../../src/engine/tfjs/load';
import { locateWasm } from '../../src/engine/kernels/wasm/locate';
import { SINGLE_THREAD_WASM } from '../../src/engine/kernels/wasm/wasmKernels';
import type { PlatformFs } from '../../src/shared/platform';
import type { CompletionResponse, TrainingEvent } from '../../src/shared/protocol';
import { TypingSignal } from '../../src/shared/typing';
import { serveCompletion } from '../../src/workers/completion';
import { serveTraining } from '../../src/workers/training';
import { inProcess } from '../../src/web/inProcess';
import { nodePlatformFs } from '../helpers/nodePlatformFs';
import { makeModel } from '../helpers/models';

async function writeTree(root: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), content);
  }
}

/** A listing like findFiles: every file below root, outside the named folders, in no particular order. */
function findFilesLike(): NonNullable<PlatformFs['listFiles']> {
  return async (root, _max, skipDirs) => {
    const out: string[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      for (const e of await fs.readdir(dir, { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) { if (!skipDirs.includes(e.name)) await walk(path.join(dir, e.name), r); } else out.push(r);
      }
    };
    await walk(root, '');
    return out.reverse();
  };
}

const TREE: Record<string, string | Uint8Array> = {
  '.gitignore': 'build-out/\n*.log\n',
  'src/a.ts': 'export const a = 1;\nconst key = "AKIAIOSFODNN7EXAMPLE";\n'.repeat(5),
  'src/b.ts': 'export function b(x: number): number {\n  return x * 2;\n}\n'.repeat(5),
  'src/debug.log': 'ignored by .gitignore\n',
  'src/nested/.gitignore': 'private.ts\n',
  'src/nested/private.ts': 'ignored by the nested .gitignore\n',
  'src/nested/public.ts': 'export const visible = true;\n'.repeat(4),
  'build-out/x.js': 'ignored folder\n',
  'node_modules/dep/index.js': 'a dependency\n',
  '.env': 'SECRET=hunter2\n',
  'img.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]),
  'README.md': '# Title\n\nSome prose about the project.\n',
};

describe('web platform paths, in Node', function () {
  this.timeout(180_000);
  let dir = '';
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'inkling-web-'));
    await writeTree(path.join(dir, 'ws'), TREE);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const listing of [false, true]) {
    it(`a corpus read through a PlatformFs${listing ? ' with a findFiles listing' : ' (readDirectory walk)'} is the desktop's, file for file and skip for skip`, async () => {
      const root = path.join(dir, 'ws');
      const desktop = await collectCorpus(root, {});
      const pfs = nodePlatformFs({ listFiles: listing ? findFilesLike() : undefined });
      const web = await collectCorpus(root, { fs: pfs });
      assert.deepEqual(web.files.map((f) => [f.path, f.text, f.bytes]), desktop.files.map((f) => [f.path, f.text, f.bytes]));
      // A listing leaves out the folders the corpus never enters (node_modules...), so they are not counted as
      // skipped then; every other count is the desktop's.
      const counts = (c: Record<string, number>) => (listing ? { ...c, excluded: 0 } : c);
      assert.deepEqual(counts(web.skippedCounts), counts(desktop.skippedCounts));
      assert.equal(web.maskedSecrets, desktop.maskedSecrets);
      assert.ok(web.maskedSecrets >= 1, 'the access key is masked');
      const kept = web.files.map((f) => f.path);
      for (const p of ['src/debug.log', 'src/nested/private.ts', 'build-out/x.js', 'node_modules/dep/index.js', '.env', 'img.png']) {
        assert.ok(!kept.includes(p), `${p} is not read`);
      }
      assert.deepEqual(kept.sort(), ['.gitignore', 'README.md', 'src/a.ts', 'src/b.ts', 'src/nested/.gitignore', 'src/nested/public.ts']);
      if (listing) assert.equal(pfs.calls.readDirectory ?? 0, 0, 'the listing replaced the folder walk');
      else assert.ok((pfs.calls.readDirectory ?? 0) > 0);
      // An open document is judged by the same rules through the PlatformFs.
      assert.equal((await judgeDocument([root], { fs: pfs }, path.join(root, 'src/nested/private.ts'), 'x'))?.reason, 'ignored');
      assert.equal(await judgeDocument([root], { fs: pfs }, path.join(root, 'src/nested/public.ts'), 'export const y = 1;\n'), undefined);
    });
  }

  it('a model saved through a PlatformFs is the same model folder; a second save swaps it in by renames', async () => {
    const { tf } = await loadTf();
    const pfs = nodePlatformFs();
    const model = makeModel({ optimizer: true });
    const target = path.join(dir, 'store', 'model');
    await saveModel(tf, target, model, { fs: pfs, withOptimizer: true });
    const back = await loadModel(target); // Node's reader
    assert.deepEqual(back.weights, model.weights);
    await saveModel(tf, target, { ...model, weights: model.weights.map((w) => w * 0.5) }, { fs: pfs });
    const again = await loadModel(target, { fs: pfs });
    assert.deepEqual(again.weights, model.weights.map((w) => w * 0.5));
    assert.deepEqual((await fs.readdir(path.dirname(target))).sort(), ['model'], 'no temporary or .old folder is left');
  });

  it('a model too large for the storage quota is refused with a clear message; the previous model is kept, nothing is left behind', async () => {
    const { tf } = await loadTf();
    const target = path.join(dir, 'quota', 'model');
    const previous = makeModel({ optimizer: true });
    await saveModel(tf, target, previous, { fs: nodePlatformFs(), withOptimizer: true });
    const bigger = makeModel({ optimizer: true, units: 64 });
    // The quota the platform reports (the browser's navigator.storage.estimate()) is known and too small: refused
    // before anything is written.
    const tight = { ...nodePlatformFs(), freeBytes: async () => 1000 };
    await assert.rejects(saveModel(tf, target, bigger, { fs: tight, withOptimizer: true }), (e: Error) => {
      assert.ok(e instanceof StorageFullError);
      assert.match(e.message, /^the model \(\d+\.\d MB\) does not fit in the storage left \(0\.0 MB free\): it was not saved and the previous model is kept/);
      return true;
    });
    assert.equal(tight.calls['writeFile'] ?? 0, 0, 'nothing was written');
    // Unknown quota, and the storage runs out mid-save (IndexedDB's QuotaExceededError, ENOSPC through workspace.fs).
    let writes = 0;
    const full = nodePlatformFs();
    const writeFile = full.writeFile.bind(full);
    full.writeFile = async (p, d) => {
      if (++writes === 2) throw Object.assign(new Error(`${p}: QuotaExceededError`), { code: 'ENOSPC' });
      return writeFile(p, d);
    };
    await assert.rejects(saveModel(tf, target, bigger, { fs: full, withOptimizer: true }), (e: Error) => e instanceof StorageFullError && /previous model is kept/.test(e.message));
    const back = await loadModel(target, { fs: nodePlatformFs() });
    assert.deepEqual(back.weights, previous.weights, 'the previous model is still the stored one');
    assert.deepEqual((await fs.readdir(path.dirname(target))).sort(), ['model'], 'no temporary folder is left');
  });

  it('in-process: training and completions on one thread, each completion answered before the next training step', async function () {
    const wasm = locateWasm(path.join(__dirname, '..', '..', 'src', 'engine', 'kernels', 'wasm'), undefined, SINGLE_THREAD_WASM).path;
    if (!wasm) this.skip();
    const root = path.join(dir, 'ws');
    const modelDir = path.join(dir, 'inproc', 'model');
    const env = { fs: nodePlatformFs(), kernels: { wasmBytes: new Uint8Array(readFileSync(wasm!)), sharedMemory: false, threads: 1 } };
    // Steps are counted as the macrotasks training yields with (nextTurn: setImmediate in Node).
    let turns = 0;
    const realSetImmediate = global.setImmediate;
    const counting = ((fn: (...a: unknown[]) => void, ...args: unknown[]) => realSetImmediate(() => { turns++; fn(...args); })) as typeof setImmediate;
    const training = inProcess((port) => serveTraining(port, { ...env, typing: new TypingSignal() }), Promise.resolve(), { type: 'stop' });
    const completion = inProcess((port) => serveCompletion(port, env), Promise.resolve());
    const events: TrainingEvent[] = [];
    let done: (e: TrainingEvent) => void = () => undefined;
    training.onMessage((m) => { const e = m as TrainingEvent; events.push(e); if (e.type === 'done' || e.type === 'error') done(e); });
    const replies = new Map<number, (r: CompletionResponse) => void>();
    completion.onMessage((m) => { const r = m as CompletionResponse; replies.get((r as { id: number }).id)?.(r); });
    const ask = (id: number, body: Record<string, unknown>) => new Promise<CompletionResponse>((resolve) => {
      replies.set(id, resolve);
      completion.postMessage({ ...body, id });
    });
    const run = (id: number, maxSteps: number, resume: boolean) => new Promise<TrainingEvent>((resolve) => {
      done = resolve;
      training.postMessage({
        type: 'train', id, roots: [root], modelDir, resume, kernels: 'wasm',
        corpus: { include: ['**/*'], exclude: [], maxTotalBytes: 1 << 20 },
        model: { cell: 'lstm', layers: 1, units: 32, embeddingSize: 8 },
        train: { minutes: 0, maxSteps, batchSize: 2, seqLength: 16, validateEverySeconds: 3600, validationChars: 256 },
      });
    });
    try {
      global.setImmediate = counting;
      const first = await run(1, 10, false);
      assert.equal(first.type, 'done', JSON.stringify(first));
      const started = events.find((e) => e.type === 'started');
      assert.match(started && started.type === 'started' ? started.kernels : '', /single-threaded/);
      const loaded = await ask(1, { type: 'load', modelDir });
      assert.equal(loaded.type, 'loaded');
      // A second run; completions are asked back to back while it trains.
      const second = run(2, 60, true);
      let finished = false;
      void second.then(() => { finished = true; });
      const gaps: number[] = [];
      let id = 2;
      let stepsBetween = 0;
      while (!finished) {
        const before = turns;
        const r = await ask(id++, {
          type: 'complete', doc: 'file:///x.ts', context: 'export function b(x: number): number {\n  return ', wholePrefix: true,
          alternatives: 1, temperature: 0, maxChars: 16, stopAtNewline: true, seed: 1, mix: false, confidence: 0, languageId: 'typescript',
        });
        assert.equal(r.type, 'completion');
        gaps.push(turns - before);
        // Let one training step run before the next request.
        const t = turns;
        while (turns === t && !finished) await new Promise((res) => realSetImmediate(res));
        stepsBetween++;
      }
      assert.equal((await second).type, 'done');
      assert.ok(gaps.length >= 5, `completions were served while training (${gaps.length})`);
      assert.equal(Math.max(...gaps), 0, `a completion never waited for a training step (turns per request: ${gaps.join(',')})`);
      console.log(`      ${gaps.length} completions served during a ${stepsBetween}-turn training run, none behind a training step`);
    } finally {
      global.setImmediate = realSetImmediate;
      training.terminate();
      completion.terminate();
    }
  });
});
