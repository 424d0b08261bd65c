/**
 * The training-recipe sweep: trains the engine once per variant for the same budget (training seconds, or
 * characters when the machine is too loaded for wall-clock budgets to compare) on the same text, and prints
 * held-out bits/char of the LSTM alone on the same characters (batch 1, state carried, float32), with the steps
 * and speed of each run, and of the mixture with the n-gram and match models of the training text as the extension
 * runs it (the LSTM adapting and rehearsing as it reads). Variants are given as `key=value` lists over the product defaults; keys are the
 * TrainConfig / ModelConfig fields (learningRate, schedule, warmupSteps, decaySteps, lrFloor, beta1, beta2,
 * adamEpsilon, init, batchSize, seqLength, clipNorm, dropout, embeddingSize, layers, units, cell).
 *
 * Usage: `npx tsc -b && node out/src/bench/recipe.js TRAIN(file|dir) TEST(file|dir) [--seconds 60 | --chars N]
 *   [--test-chars 20000] [--threads N] [--json] --try "learningRate=0.002 schedule=constant" --try "batchSize=16" ...`
 * `--try ""` is the defaults. Each run prints one JSON line on stderr as it ends and a Markdown table at the end.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_MODEL, DEFAULT_TRAIN, resolveModelConfig, resolveTrainConfig, type ModelConfig, type TrainConfig } from '../shared/modelConfig';
import { createKernels } from '../engine/kernels';
import { Predictor } from '../engine/predictor';
import { train } from '../engine/trainer';
import { Vocabulary } from '../engine/vocab';
import { batchOneBits } from './heldOut';
import { MatchModel, MixedPredictor } from '../mix';
import { addScoringTail } from '../mix/prior';
import { NGramModel } from '../ngram';
import { AS_THE_EXTENSION, scoreMixed } from '../eval/mixture';

function readTexts(p: string): string[] {
  if (fs.statSync(p).isFile()) return [fs.readFileSync(p, 'utf8')];
  return fs.readdirSync(p, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile()).sort((a, b) => (path.join(a.parentPath, a.name) < path.join(b.parentPath, b.name) ? -1 : 1))
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'utf8'));
}

function readAll(p: string): string {
  return readTexts(p).join('\n\n');
}

function args(name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < process.argv.length - 1; i++) if (process.argv[i] === `--${name}`) out.push(process.argv[i + 1]!);
  return out;
}

interface Variant { label: string; model: Partial<ModelConfig>; train: Partial<TrainConfig> }

function parseVariant(spec: string): Variant {
  const model: Record<string, unknown> = {};
  const trainCfg: Record<string, unknown> = {};
  for (const kv of spec.split(/\s+/).filter(Boolean)) {
    const [k, v] = kv.split('=') as [string, string];
    const value = Number.isFinite(Number(v)) ? Number(v) : v;
    if (k in DEFAULT_MODEL) model[k] = value;
    else if (k in DEFAULT_TRAIN) trainCfg[k] = value;
    else throw new Error(`unknown key ${k}`);
  }
  return { label: spec.trim() || 'defaults', model, train: trainCfg };
}

async function main(): Promise<void> {
  const [trainPath, testPath] = process.argv.slice(2);
  if (!trainPath || !testPath) throw new Error('usage: recipe.js TRAIN TEST [--seconds S | --chars N] --try "k=v ..." ...');
  const trainTexts = readTexts(trainPath);
  const text = trainTexts.join('\n\n');
  const test = readAll(testPath).slice(0, Number(args('test-chars')[0] ?? 20000));
  const vocab = Vocabulary.fromText(text);
  const tokens = vocab.encode(text);
  const ids = vocab.encode(test);
  const seconds = Number(args('seconds')[0] ?? 60);
  const chars = Number(args('chars')[0] ?? 0);
  const threads = args('threads')[0] ? Number(args('threads')[0]) : undefined;
  const variants = (args('try').length ? args('try') : ['']).map(parseVariant);
  // The n-gram and match models of the training text, as the extension builds them from the workspace (each
  // variant's mixture gets copies: they learn as they read).
  const ngram = new NGramModel();
  const ngramBits = addScoringTail(ngram, trainTexts);
  const match = new MatchModel();
  for (const t of trainTexts) match.addText(t);
  const rows: Record<string, unknown>[] = [];
  for (const v of variants) {
    const model = resolveModelConfig(v.model, vocab.size);
    const base = resolveTrainConfig({ ...v.train, validateEverySeconds: 3600 });
    const perStep = base.batchSize * base.seqLength;
    // A character budget becomes a step budget (the schedule's progress then counts steps).
    const cfg = chars > 0 ? { ...base, minutes: 0, maxSteps: Math.max(1, Math.round(chars / perStep)) } : { ...base, minutes: seconds / 60 };
    const { kernels } = await createKernels({ threads });
    const t0 = performance.now();
    const r = await train({ kernels, model, train: cfg, trainTokens: tokens, validationTokens: new Int32Array(0) });
    const wall = (performance.now() - t0) / 1000;
    kernels.dispose();
    const single = (await createKernels({ threads: 1 })).kernels;
    const bits = batchOneBits(new Predictor(single, model, r.finalWeights, { quantize: false, adaptRate: 0 }), ids);
    // The mixture as the extension runs it (the LSTM adapting and rehearsing), on the same characters.
    const prior = { lstmBits: r.progress.valBits ?? null, ngramBits };
    const mixed = scoreMixed(new MixedPredictor(new Predictor(single, model, r.finalWeights), vocab, ngram.clone(), undefined, match.clone(), { prior }), test, '\n', AS_THE_EXTENSION);
    single.dispose();
    const row = {
      variant: v.label, heldOut: Number(bits.toFixed(4)), mixture: Number(mixed.bitsPerChar.toFixed(4)),
      ngramPart: Number(mixed.ngramBitsPerChar.toFixed(4)), lstmAdapting: Number(mixed.lstmBitsPerChar.toFixed(4)), trainBits: Number(r.progress.trainBits.toFixed(3)), steps: r.progress.step,
      chars: r.progress.step * perStep, charsPerSec: Math.round(r.progress.charsPerSec), seconds: Number(wall.toFixed(1)),
      parameters: r.finalWeights.length,
    };
    rows.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
  }
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return;
  }
  const budget = chars > 0 ? `${chars} chars` : `${seconds} s`;
  console.log(`\nbudget ${budget}; held-out: first ${ids.length} chars of ${path.basename(testPath)}; LSTM alone static (batch 1 float32) and adapting, the mixture as the extension runs it`);
  console.log('| variant | LSTM alone (static / adapting) | mixture | n-gram + match part | the LSTM adds | train bits/char | steps | chars/s | parameters |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  const f = (x: unknown): string => (x as number).toFixed(3);
  for (const r of rows) {
    console.log(`| ${r.variant} | ${f(r.heldOut)} / ${f(r.lstmAdapting)} | ${f(r.mixture)} | ${f(r.ngramPart)} | ${((r.ngramPart as number) - (r.mixture as number)).toFixed(3)} | ${r.trainBits} | ${r.steps} | ${r.charsPerSec} | ${r.parameters} |`);
  }
}

void main().catch((e: Error) => { console.error(e.stack ?? e.message); process.exitCode = 1; });
