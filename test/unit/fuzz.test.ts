/**
 * Fuzzing the model loader and the vocabulary decoder with random and mutated inputs. Fixed seeds (every
 * failure names its case number, reproducible) and a fixed number of cases, whatever the machine's speed (no time
 * cap: a loaded machine runs the same cases, only slower). Every case must
 * load a consistent model or throw one ModelFormatError with a short message: no TypeError or RangeError
 * from deep inside, no hang, no large allocation before the sizes are checked.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LIMITS, validateModelConfig, type ModelConfig } from '../../src/shared/modelConfig';
import { loadModel, ModelFormatError, saveModel, type SavedModel } from '../../src/engine/format';
import { paramLayout, totalSize } from '../../src/engine/params';
import { Rng } from '../../src/engine/rng';
import { UNKNOWN_CHAR, Vocabulary, VocabularyError } from '../../src/engine/vocab';
import { makeModel } from '../helpers/models';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Files = Record<string, Buffer | string | null>; // null: file absent

const FILES = ['model.json', 'weights.bin', 'inkling.json', 'optimizer.bin'] as const;
const MAX_MESSAGE = 400;

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

function randomString(rng: Rng, n: number): string {
  const pool = ['a', 'Z', '0', ' ', '\n', '"', '\\', '\u00e9', '\u{1F600}', '\ud800', '\u0000', '{', '[', '.'];
  let s = '';
  for (let i = 0; i < n; i++) s += pick(rng, pool);
  return s;
}

function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(256);
  return b;
}

/** A random JSON value, sometimes extreme: huge numbers, long strings, deep nesting. */
function randomValue(rng: Rng, depth = 0): Json {
  switch (rng.int(depth > 2 ? 9 : 12)) {
    case 0: return null;
    case 1: return rng.next() < 0.5;
    case 2: return rng.int(5) - 1;
    case 3: return pick(rng, [1e308, -1e308, 2 ** 31, 2 ** 53 + 2, 1e-320, -0, 0.5, 4097, 1e7, 2048]);
    case 4: return randomString(rng, rng.int(6));
    case 5: return pick(rng, ['lstm', 'gru', 'rnn', 'LSTM', 'Dense', 'weights.bin', '', '..', '../x', 'float32', 'int32', '__proto__']);
    case 6: return 'x'.repeat(pick(rng, [10, 1000, 1000, 1000, 200_000]));
    case 7: { // deep nesting
      let v: Json = 1;
      for (let i = pick(rng, [100, 1000]); i > 0; i--) v = [v];
      return v;
    }
    case 8: return [];
    case 9: return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
    case 10: return Object.fromEntries(Array.from({ length: rng.int(4) }, () => [pick(rng, ['a', 'units', 'shape', 'name', 'class_name', 'config', '__proto__']), randomValue(rng, depth + 1)]));
    default: return {};
  }
}

/** Every container and key path in a JSON value. */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (out.length > 5000) return out;
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k]!, [...at, k], out);
  return out;
}

/** One structural mutation at a random place: replace, delete, duplicate, or nudge a number. */
function mutateJson(root: Json, rng: Rng): Json {
  const all = paths(root);
  const p = pick(rng, all);
  if (p.length === 0) return randomValue(rng);
  const parent = p.slice(0, -1).reduce<Json>((v, k) => (v as Record<string, Json>)[k as string]!, root) as Record<string, Json> | Json[];
  const key = p[p.length - 1]!;
  const current = (parent as Record<string, Json>)[key as string];
  switch (rng.int(5)) {
    case 0:
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      break;
    case 1:
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(current) ?? null);
      else (parent as Record<string, Json>)[`${String(key)}_`] = structuredClone(current) ?? null;
      break;
    case 2:
      if (typeof current === 'number') (parent as Record<string, Json>)[key as string] = pick(rng, [current + 1, current - 1, current * 2, -current, current * 1e6, 0]);
      else (parent as Record<string, Json>)[key as string] = randomValue(rng);
      break;
    default:
      (parent as Record<string, Json>)[key as string] = randomValue(rng);
  }
  return root;
}

function mutateBytes(b: Buffer, rng: Rng): Buffer {
  switch (rng.int(6)) {
    case 0: return b.subarray(0, rng.int(b.length + 1)); // truncate
    case 1: return Buffer.concat([b, randomBytes(rng, 1 + rng.int(64))]); // extend
    case 2: { // bit flips
      const c = Buffer.from(b);
      for (let i = 0, n = 1 + rng.int(8); i < n && c.length; i++) c[rng.int(c.length)]! ^= 1 << rng.int(8);
      return c;
    }
    case 3: { // non-finite floats (NaN, +Inf) at a random aligned place
      const c = Buffer.from(b);
      if (c.length >= 4) c.writeUInt32LE(pick(rng, [0x7fc00000, 0x7f800000, 0xff800000]), 4 * rng.int(c.length >> 2));
      return c;
    }
    case 4: return randomBytes(rng, rng.int(2 * b.length + 1));
    default: return Buffer.alloc(0);
  }
}

/** model.json + inkling.json that agree on a configuration at the top of every range, for a tiny weights.bin. */
function absurd(base: { model: Json; meta: Json }, config: ModelConfig): { model: Json; meta: Json } {
  const model = structuredClone(base.model) as any;
  const meta = structuredClone(base.meta) as any;
  meta.model = config;
  meta.vocabulary.chars = Array.from({ length: config.vocabSize - 1 }, (_, i) => String.fromCodePoint(0x4e00 + i));
  const rnn = model.modelTopology.config.layers.find((l: any) => l.class_name === 'LSTM');
  model.modelTopology.config.layers = [
    model.modelTopology.config.layers[0],
    ...Array.from({ length: config.layers }, () => ({ ...rnn, config: { ...rnn.config, units: config.units } })),
    model.modelTopology.config.layers.at(-1),
  ];
  model.weightsManifest[0].weights = paramLayout(config).map((s) => ({ name: s.name, shape: [...s.shape], dtype: 'float32' }));
  return { model, meta };
}

function checkConsistent(m: SavedModel, label: string): void {
  validateModelConfig(m.config);
  assert.equal(m.vocab.size, m.config.vocabSize, label);
  assert.equal(m.weights.length, totalSize(paramLayout(m.config)), label);
  assert.ok(m.weights.every(Number.isFinite), label);
  if (m.optimizer) {
    assert.equal(m.optimizer.m.length, m.weights.length, label);
    assert.equal(m.optimizer.v.length, m.weights.length, label);
    assert.ok(Number.isInteger(m.optimizer.step) && m.optimizer.step >= 0, label);
  }
}

/**
 * Runs `fn` while recording the largest typed array or buffer constructed through the globals (as the loader
 * allocates them), in bytes. (The process's `arrayBuffers` figure alone can miss an allocation that the garbage
 * collector has already reclaimed.)
 */
async function largestAllocation(fn: () => Promise<void>): Promise<number> {
  const g = globalThis as unknown as Record<string, unknown>;
  const names = ['Uint8Array', 'Float32Array', 'Float64Array', 'ArrayBuffer'] as const;
  const saved = names.map((name) => g[name]);
  const savedAlloc = [Buffer.alloc, Buffer.allocUnsafe];
  let largest = 0;
  const note = (bytes: unknown): void => { if (typeof bytes === 'number' && bytes > largest) largest = bytes; };
  names.forEach((name, i) => {
    const ctor = saved[i] as { BYTES_PER_ELEMENT?: number } & (new (...a: unknown[]) => object);
    g[name] = new Proxy(ctor, {
      construct(target, args, newTarget) {
        if (typeof args[0] === 'number') note(args[0] * (ctor.BYTES_PER_ELEMENT ?? 1));
        return Reflect.construct(target, args, newTarget) as object;
      },
    });
  });
  Buffer.alloc = ((size: number, ...rest: unknown[]) => { note(size); return (savedAlloc[0] as (...a: unknown[]) => Buffer)(size, ...rest); }) as typeof Buffer.alloc;
  Buffer.allocUnsafe = ((size: number) => { note(size); return savedAlloc[1]!(size); }) as typeof Buffer.allocUnsafe;
  try {
    await fn();
  } finally {
    names.forEach((name, i) => { g[name] = saved[i]; });
    [Buffer.alloc, Buffer.allocUnsafe] = savedAlloc as [typeof Buffer.alloc, typeof Buffer.allocUnsafe];
  }
  return largest;
}

describe('fuzzing', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-fuzz-')); });
  after(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('the model loader: every random or mutated model folder loads consistently or fails with one clear error', async () => {
    const good = path.join(dir, 'good');
    await saveModel(tf, good, makeModel({ optimizer: true, layers: 2, units: 12 }), { withOptimizer: true });
    const base: Record<string, Buffer> = {};
    for (const f of FILES) base[f] = await fs.readFile(path.join(good, f));
    const baseJson = { model: JSON.parse(base['model.json']!.toString()) as Json, meta: JSON.parse(base['inkling.json']!.toString()) as Json };
    const top: ModelConfig = {
      cell: 'lstm', layers: LIMITS.layers[1], units: LIMITS.units[1], embeddingSize: LIMITS.embeddingSize[1], dropout: 0, vocabSize: LIMITS.vocabSize[1],
    };

    const rng = new Rng(7);
    const budget = 1500;
    const started = performance.now();
    const outcomes: Record<string, number> = {};
    let slowest = 0;
    let n = 0;

    /** Case `i`, made from the seeded generator (cases are made in order, so each is the same on every run). */
    function makeCase(i: number): { files: Files; label: string } {
      const files: Files = { ...base };
      const kind = i < 12 ? i : rng.int(12);
      const json = (j: Json): string => JSON.stringify(j);
      let label: string;
      switch (kind) {
        case 0: case 1: { // structural mutations of model.json
          let j = structuredClone(baseJson.model);
          for (let k = 1 + rng.int(3); k > 0; k--) j = mutateJson(j, rng);
          files['model.json'] = json(j);
          label = 'model.json mutated';
          break;
        }
        case 2: case 3: { // structural mutations of inkling.json
          let j = structuredClone(baseJson.meta);
          for (let k = 1 + rng.int(3); k > 0; k--) j = mutateJson(j, rng);
          files['inkling.json'] = json(j);
          label = 'inkling.json mutated';
          break;
        }
        case 4: { // targeted vocabulary damage
          const j = structuredClone(baseJson.meta) as any;
          const chars: unknown[] = j.vocabulary.chars;
          switch (rng.int(7)) {
            case 0: chars.pop(); break;
            case 1: chars.push('\u2603'); break;
            case 2: chars[rng.int(chars.length)] = chars[0]; break; // duplicate
            case 3: chars[rng.int(chars.length)] = randomValue(rng); break; // non-string
            case 4: chars[rng.int(chars.length)] = 'ab'; break;
            case 5: j.vocabulary.version = pick(rng, [2, 0, '1', null]); break;
            default: j.vocabulary = randomValue(rng);
          }
          files['inkling.json'] = json(j);
          label = 'vocabulary damaged';
          break;
        }
        case 5: { // header: format, version, sizes
          const j = structuredClone(baseJson.meta) as any;
          switch (rng.int(4)) {
            case 0: j.formatVersion = pick(rng, [2, 99, 0, -1, 1.5, '1', null, 1e308]); break;
            case 1: j.format = pick(rng, ['tfjs', null, 1, 'x'.repeat(100_000)]); break;
            case 2: j.model[pick(rng, ['layers', 'units', 'embeddingSize', 'vocabSize', 'dropout', 'cell'])] = randomValue(rng); break;
            default: j.training = { ...j.training, optimizerStep: randomValue(rng) };
          }
          files['inkling.json'] = json(j);
          label = 'inkling.json header';
          break;
        }
        case 6: // weights.bin: truncated, extended, bit flips, non-finite, random
          files['weights.bin'] = mutateBytes(base['weights.bin']!, rng);
          label = 'weights.bin mutated';
          break;
        case 7: // optimizer.bin
          files['optimizer.bin'] = rng.next() < 0.2 ? null : mutateBytes(base['optimizer.bin']!, rng);
          label = 'optimizer.bin mutated';
          break;
        case 8: { // textual damage: truncated JSON, byte flips, random text, deep nesting
          const f = pick(rng, ['model.json', 'inkling.json'] as const);
          const t = base[f]!;
          files[f] = pick(rng, [
            () => t.subarray(0, rng.int(t.length)),
            () => mutateBytes(t, rng),
            () => randomString(rng, rng.int(200)),
            () => { const d = rng.next() < 0.1 ? 200_000 : 2000; return '['.repeat(d) + ']'.repeat(d); },
            () => { const d = rng.next() < 0.1 ? 50_000 : 2000; return `{"a":${'{"a":'.repeat(d)}1${'}'.repeat(d)}}`; },
            () => '',
          ])();
          label = `${f} damaged text`;
          break;
        }
        case 9: { // absurd sizes, consistent in both JSON files, with the real (tiny) weights
          const config = { ...top, cell: pick(rng, ['lstm', 'gru', 'rnn'] as const), layers: 1 + rng.int(LIMITS.layers[1]) };
          const a = absurd(baseJson, config);
          for (const l of (a.model as any).modelTopology.config.layers) if (l.class_name === 'LSTM') l.class_name = { lstm: 'LSTM', gru: 'GRU', rnn: 'SimpleRNN' }[config.cell];
          files['model.json'] = json(a.model);
          files['inkling.json'] = json(a.meta);
          label = `absurd ${JSON.stringify(config)}`;
          break;
        }
        case 10: // missing files
          for (const f of FILES) if (rng.next() < 0.4) files[f] = null;
          label = 'missing files';
          break;
        default: // random bytes everywhere
          for (const f of FILES) files[f] = randomBytes(rng, rng.int(300));
          label = 'random bytes';
      }

      return { files, label };
    }

    /** Loads each case in its own folder; four at once, so waiting on the disk overlaps. */
    async function lane(caseDir: string): Promise<void> {
      await fs.mkdir(caseDir);
      const onDisk: Files = Object.fromEntries(FILES.map((f) => [f, null]));
      while (n < budget) {
        const i = n++;
        const { files, label } = makeCase(i);
        // Only the files that differ from what the folder holds are written (most cases change one file).
        for (const f of FILES) {
          if (files[f] === onDisk[f]) continue;
          if (files[f] === null) await fs.rm(path.join(caseDir, f), { force: true });
          else await fs.writeFile(path.join(caseDir, f), files[f]!);
          onDisk[f] = files[f]!;
        }
        const what = `case ${i} (${label})`;
        const t0 = performance.now();
        let outcome: string;
        try {
          const m = await loadModel(caseDir, { withOptimizer: true });
          checkConsistent(m, what);
          outcome = 'loaded';
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          assert.ok(e instanceof ModelFormatError, `${what}: ${(e as Error).name} leaked: ${(e as Error).stack}`);
          assert.ok(e.message.length > 0 && e.message.length <= MAX_MESSAGE, `${what}: message of ${e.message.length} characters: ${e.message.slice(0, 200)}…`);
          outcome = 'refused';
        }
        const ms = performance.now() - t0;
        slowest = Math.max(slowest, ms);
        const key = `${label.split(' ')[0]} ${outcome}`;
        outcomes[key] = (outcomes[key] ?? 0) + 1;
      }
    }
    await Promise.all([0, 1, 2, 3].map((k) => lane(path.join(dir, `case${k}`))));
    const seconds = (performance.now() - started) / 1000;
    console.log(`      fuzzed ${n} loader cases in ${seconds.toFixed(1)} s (slowest ${slowest.toFixed(0)} ms): ${JSON.stringify(outcomes)}`);
    assert.equal(n, budget, 'every case ran');
  });

  it('a model folder claiming the largest sizes is refused before its buffers are allocated', async () => {
    const good = path.join(dir, 'good2');
    await saveModel(tf, good, makeModel({ optimizer: true }), { withOptimizer: true });
    const baseJson = {
      model: JSON.parse(await fs.readFile(path.join(good, 'model.json'), 'utf8')) as Json,
      meta: JSON.parse(await fs.readFile(path.join(good, 'inkling.json'), 'utf8')) as Json,
    };
    for (const cell of ['lstm', 'gru', 'rnn'] as const) {
      const config: ModelConfig = {
        cell, layers: LIMITS.layers[1], units: LIMITS.units[1], embeddingSize: LIMITS.embeddingSize[1], dropout: 0, vocabSize: LIMITS.vocabSize[1],
      };
      const bytes = totalSize(paramLayout(config)) * 4;
      const a = absurd(baseJson, config);
      for (const l of (a.model as any).modelTopology.config.layers) if (l.class_name === 'LSTM') l.class_name = { lstm: 'LSTM', gru: 'GRU', rnn: 'SimpleRNN' }[cell];
      await fs.writeFile(path.join(good, 'model.json'), JSON.stringify(a.model));
      await fs.writeFile(path.join(good, 'inkling.json'), JSON.stringify(a.meta));
      const before = process.memoryUsage().arrayBuffers;
      const largest = await largestAllocation(() =>
        assert.rejects(loadModel(good, { withOptimizer: true }), (e: Error) => e instanceof ModelFormatError && /needs \d+/.test(e.message)));
      const grown = process.memoryUsage().arrayBuffers - before;
      // The claimed model needs hundreds of MB; nothing near that may be allocated to find out it is not there.
      assert.ok(largest < bytes / 16, `${cell}: a ${largest}-byte buffer allocated for a claimed ${bytes}-byte model`);
      assert.ok(grown < bytes / 16, `${cell}: ${grown} bytes of buffers allocated for a claimed ${bytes}-byte model`);
    }
  });

  it('the vocabulary: random serialisations parse or fail with a VocabularyError; decoding never throws', () => {
    const rng = new Rng(11);
    const budget = 8000;
    const started = performance.now();
    let n = 0;
    let parsed = 0;
    for (; n < budget; n++) {
      let raw: unknown;
      if (n % 3 === 0) raw = randomValue(rng);
      else {
        const len = rng.int(n % 97 === 0 ? 5000 : 40);
        const chars: unknown[] = Array.from({ length: len }, () => (rng.next() < 0.9 ? randomString(rng, 1) : randomValue(rng)));
        raw = { version: rng.next() < 0.95 ? 1 : randomValue(rng), chars };
      }
      let vocab: Vocabulary;
      try {
        vocab = Vocabulary.fromJSON(raw);
      } catch (e) {
        assert.ok(e instanceof VocabularyError, `case ${n}: ${(e as Error).name} leaked: ${(e as Error).message}`);
        assert.ok(e.message.length <= MAX_MESSAGE, `case ${n}: message of ${e.message.length} characters`);
        continue;
      }
      parsed++;
      // Any ids decode to a string of one character per id (the unknown character for ids out of range).
      const ids = Array.from({ length: rng.int(20) }, () => pick(rng, [rng.int(vocab.size), -1, vocab.size, 2 ** 40, NaN, 0.5, Infinity, -0]));
      const text = vocab.decode(ids);
      assert.equal([...text].length, ids.length, `case ${n}`);
      // Ids in range survive decode → encode.
      const valid = Int32Array.from({ length: rng.int(30) }, () => 1 + rng.int(vocab.size - 1)).filter(() => vocab.size > 1);
      assert.deepEqual(vocab.encode(vocab.decode(valid)), valid, `case ${n}: ${JSON.stringify(vocab.toJSON().chars)}`);
      assert.equal(vocab.charOf(0), UNKNOWN_CHAR);
    }
    console.log(`      fuzzed ${n} vocabulary cases (${parsed} valid) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(n, budget);
  });
});
