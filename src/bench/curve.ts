/**
 * Side-by-side with the PyTorch peer: trains Inkling's engine for a fixed number of steps on one text file with
 * the given hyper-parameters, prints the training loss of every step (bits/char), then held-out bits/char of the
 * first `--test-chars` characters of the test file, scored three ways on the same characters: batch 1 in float32
 * (as the peer scores), batch 1 on int8 weights (as `inkling eval` and the completion worker run), and batched
 * like the training-time validation (`--batch` parallel streams of `--seq` characters, each starting cold).
 *
 * Usage: `npx tsc -p . && node out/bench/curve.js TRAIN_FILE TEST_FILE [--steps 300] [--lr 0.002]
 *   [--schedule constant] [--warmup 0] [--dropout 0.1] [--init keras|torch] [--batch 32] [--seq 64]
 *   [--beta1 0.9] [--beta2 0.999] [--eps 1e-8] [--clip 5] [--embedding 32] [--units 256] [--layers 2]
 *   [--test-chars 100000] [--threads N] [--out curve.json]`
 * The peer's curve: `scripts/peer-curve.py` with the same arguments.
 */
import * as fs from 'fs';
import { DEFAULT_TRAIN, resolveModelConfig, resolveTrainConfig, type Schedule } from '../shared/modelConfig';
import { createKernels } from '../engine/kernels';
import type { InitStyle } from '../engine/params';
import { Predictor } from '../engine/predictor';
import { StreamScorer } from '../engine/scorer';
import { train } from '../engine/trainer';
import { Vocabulary } from '../engine/vocab';
import { batchOneBits } from './heldOut';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

async function main(): Promise<void> {
  const [trainFile, testFile] = process.argv.slice(2);
  if (!trainFile || !testFile) throw new Error('usage: curve.js TRAIN_FILE TEST_FILE [options]');
  const text = fs.readFileSync(trainFile, 'utf8');
  const test = fs.readFileSync(testFile, 'utf8').slice(0, Number(arg('test-chars', '100000')));
  const vocab = Vocabulary.fromText(text);
  const model = resolveModelConfig({
    dropout: Number(arg('dropout', '0.1')), embeddingSize: Number(arg('embedding', '32')),
    units: Number(arg('units', '256')), layers: Number(arg('layers', '2')),
  }, vocab.size);
  const steps = Number(arg('steps', '300'));
  const cfg = resolveTrainConfig({
    minutes: 0, maxSteps: steps, learningRate: Number(arg('lr', '0.002')), schedule: arg('schedule', 'constant') as Schedule,
    warmupSteps: Number(arg('warmup', '0')), batchSize: Number(arg('batch', '32')), seqLength: Number(arg('seq', '64')),
    beta1: Number(arg('beta1', '0.9')), beta2: Number(arg('beta2', '0.999')), adamEpsilon: Number(arg('eps', '1e-8')),
    clipNorm: Number(arg('clip', '5')), validateEverySeconds: 3600,
  });
  const threads = process.argv.includes('--threads') ? Number(arg('threads', '2')) : undefined;
  const { kernels } = await createKernels({ threads });
  const losses: number[] = [];
  const t0 = performance.now();
  const r = await train({
    kernels, model, train: cfg, trainTokens: vocab.encode(text), validationTokens: new Int32Array(0),
    initStyle: arg('init', DEFAULT_TRAIN.init) as InitStyle, progressIntervalMs: 0,
    onProgress: (p) => { if (p.step > losses.length && Number.isFinite(p.trainBits)) losses.push(p.trainBits); },
  });
  const seconds = (performance.now() - t0) / 1000;
  const ids = vocab.encode(test);
  const single = (await createKernels({ threads: 1 })).kernels;
  const float = batchOneBits(new Predictor(single, model, r.finalWeights, { quantize: false }), ids);
  const int8 = batchOneBits(new Predictor(single, model, r.finalWeights), ids);
  const scorer = StreamScorer.create(kernels, model, ids, cfg.batchSize, cfg.seqLength)!;
  const batched = scorer.bitsPerChar(r.finalWeights);
  const out = {
    engine: 'inkling', kernels: kernels.name, steps: r.progress.step, seconds: Number(seconds.toFixed(1)),
    charsPerSec: Math.round(r.progress.charsPerSec), heldOutChars: ids.length,
    heldOut: { batchOneFloat32: Number(float.toFixed(4)), batchOneInt8: Number(int8.toFixed(4)), batched: Number(batched.toFixed(4)), batchedChars: scorer.chars },
    losses: losses.map((x) => Number(x.toFixed(4))),
  };
  const file = arg('out', '');
  if (file) fs.writeFileSync(file, JSON.stringify(out));
  const { losses: _l, ...summary } = out;
  console.log(JSON.stringify(summary));
  const every = Math.max(1, Math.floor(losses.length / 20));
  console.log(losses.map((x, i) => (i % every === every - 1 ? `${i + 1}:${x.toFixed(3)}` : '')).filter(Boolean).join(' '));
  kernels.dispose();
  single.dispose();
}

void main().catch((e: Error) => { console.error(e.stack ?? e.message); process.exitCode = 1; });
