/**
 * `inkling bench`: side by side in one run, training throughput of the reference model (embedding 32,
 * 2 × LSTM 256, sequences of 64, batches of 32) on Inkling's kernels, on PyTorch (when a Python with torch is
 * there) and on tf.layers (tfjs-wasm with one-hot input, tfjs-cpu, tfjs-node when installed), with ratios and
 * effective GFLOP/s; with --profile, where an Inkling step's time goes; then completion latency.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { forwardFlopsPerChar, trainFlopsPerChar } from '../bench/flops';
import { benchLatency } from '../bench/latency';
import { benchPytorch } from '../bench/pytorch';
import { benchEngine, benchTfLayers, registerTfWasm, type ThroughputResult } from '../bench/training';
import { DEFAULT_MODEL, DEFAULT_TRAIN, type ModelConfig } from '../shared/modelConfig';
import { createKernels } from '../engine/kernels';
import { tfjsNodeAvailable } from '../engine/tfjs/load';
import { num, parse } from './args';
import { packageRoot } from '../corpus/packagePaths';

const REFERENCE: ModelConfig = { cell: 'lstm', layers: 2, units: 256, embeddingSize: 32, dropout: 0.1, vocabSize: 65 };
const B = 32;
const T = 64;

export async function benchCommand(argv: string[]): Promise<void> {
  const { values: v } = parse(argv, {
    seconds: { type: 'string' }, json: { type: 'boolean' }, 'skip-tfjs': { type: 'boolean' },
    'context-chars': { type: 'string' }, samples: { type: 'string' }, profile: { type: 'boolean' },
    'skip-pytorch': { type: 'boolean' }, 'skip-tfjs-cpu': { type: 'boolean' },
  });
  const seconds = num(v, 'seconds') ?? 15;
  const contextChars = num(v, 'context-chars') ?? 256;
  const log = (s: string): void => { if (!v.json) process.stderr.write(`${s}\n`); };
  const results: ThroughputResult[] = [];

  log(`Reference model: embedding ${REFERENCE.embeddingSize}, ${REFERENCE.layers} × LSTM ${REFERENCE.units}, vocabulary ${REFERENCE.vocabSize}, batch ${B} × ${T} characters; ${seconds} s per path.`);
  const { kernels, fallbackReason } = await createKernels();
  if (fallbackReason) log(`note: ${fallbackReason}`);
  log(`measuring Inkling (${kernels.name})…`);
  const ours = await benchEngine(kernels, REFERENCE, B, T, seconds, { profile: v.profile === true });
  results.push(ours);
  // The default training recipe (model shape, batch, sequence length), when it is not the reference model.
  const recipe: ModelConfig = { ...DEFAULT_MODEL, vocabSize: REFERENCE.vocabSize };
  const recipeB = DEFAULT_TRAIN.batchSize;
  const recipeT = DEFAULT_TRAIN.seqLength;
  const sameRecipe = recipeB === B && recipeT === T && JSON.stringify(recipe) === JSON.stringify(REFERENCE);
  let defaultRecipe: ThroughputResult | null = null;
  if (!sameRecipe) {
    log(`measuring Inkling on the default recipe (${recipe.layers} × ${recipe.cell.toUpperCase()} ${recipe.units}, batch ${recipeB} × ${recipeT})…`);
    defaultRecipe = { ...(await benchEngine(kernels, recipe, recipeB, recipeT, seconds)), name: `Inkling, default recipe (${kernels.name})` };
  }
  const threads = kernels.threads;
  kernels.dispose();

  let pytorch: ThroughputResult | null = null;
  if (!v['skip-pytorch']) {
    log(`measuring PyTorch (${threads} threads)…`);
    pytorch = await benchPytorch(path.join(packageRoot(), 'src', 'bench', 'peer-torch.py'), REFERENCE, B, T, threads, seconds);
    results.push(pytorch);
  }

  if (!v['skip-tfjs']) {
    const { loadTf } = await import('../engine/tfjs/load');
    if (tfjsNodeAvailable()) {
      const { tf } = await loadTf();
      log('measuring tf.layers on tfjs-node…');
      results.push(await benchTfLayers(tf, 'tensorflow', REFERENCE, B, T, seconds, false));
    } else {
      results.push({ name: 'tf.layers on tfjs-node', charsPerSec: null, stepSec: null, steps: 0, note: 'not installed' });
    }
    const tf = await import('@tensorflow/tfjs');
    tf.env().set('PROD', true);
    const wasmProblem = await registerTfWasm();
    log('measuring tf.layers on tfjs-wasm (one-hot input)…');
    results.push(wasmProblem
      ? { name: 'tf.layers on tfjs-wasm (one-hot input)', charsPerSec: null, stepSec: null, steps: 0, note: wasmProblem }
      : await benchTfLayers(tf, 'wasm', REFERENCE, B, T, seconds, true));
    if (!v['skip-tfjs-cpu']) {
      log('measuring tf.layers on tfjs-cpu…');
      results.push(await benchTfLayers(tf, 'cpu', REFERENCE, B, T, seconds, false));
    }
  }

  const latencyKernels = (await createKernels({ threads: 1 })).kernels;
  const sample = sampleText();
  log(`measuring completion latency (${latencyKernels.name}, context ${contextChars} characters)…`);
  const latency = benchLatency(latencyKernels, REFERENCE, sample, contextChars, num(v, 'samples') ?? 200);
  latencyKernels.dispose();

  const flops = trainFlopsPerChar(REFERENCE);
  const tfWasm = results.find((r) => r.name.startsWith('tf.layers on tfjs-wasm'));
  const ratio = (r?: ThroughputResult) => (r?.charsPerSec && ours.charsPerSec ? ours.charsPerSec / r.charsPerSec : null);
  const rows = results.map((r) => ({
    ...r,
    gflops: r.charsPerSec ? (r.charsPerSec * flops) / 1e9 : null,
    inklingSpeedup: r === ours ? 1 : ratio(r),
  }));
  const out = {
    model: REFERENCE, batch: B, seqLength: T, trainFlopsPerChar: flops, forwardFlopsPerChar: forwardFlopsPerChar(REFERENCE),
    training: rows, ratioVsTfjsWasm: ratio(tfWasm), ratioVsPytorch: ratio(pytorch ?? undefined),
    profile: ours.profile ?? null,
    defaultRecipe: defaultRecipe
      ? { model: recipe, batch: recipeB, seqLength: recipeT, charsPerSec: defaultRecipe.charsPerSec, gflops: defaultRecipe.charsPerSec ? (defaultRecipe.charsPerSec * trainFlopsPerChar(recipe)) / 1e9 : null }
      : 'the reference model',
    latencyMs: latency,
  };
  if (v.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const w = Math.max(...rows.map((r) => r.name.length)) + 2;
  console.log(`\n${'training path'.padEnd(w)}${'chars/s'.padStart(10)}${'GFLOP/s'.padStart(10)}${'Inkling ×'.padStart(11)}  steps`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(w)}${fmt(r.charsPerSec, 0).padStart(10)}${fmt(r.gflops, 2).padStart(10)}${fmt(r.inklingSpeedup, 1).padStart(11)}  ${r.steps}${r.note ? `  (${r.note})` : ''}`);
  }
  if (defaultRecipe) console.log(`\ndefault recipe (${recipe.layers} × ${recipe.cell.toUpperCase()} ${recipe.units}, batch ${recipeB} × ${recipeT}): ${fmt(defaultRecipe.charsPerSec, 0)} chars/s`);
  if (ours.profile) {
    console.log(`\nprofile of one Inkling training step (${fmt(ours.stepSec! * 1000, 1)} ms median):`);
    console.log(`  ${'phase'.padEnd(24)}${'ms/step'.padStart(9)}${'share'.padStart(8)}${'GFLOP/s'.padStart(9)}`);
    for (const p of ours.profile) {
      console.log(`  ${p.phase.padEnd(24)}${fmt(p.msPerStep, 2).padStart(9)}${`${fmt(p.share * 100, 1)}%`.padStart(8)}${fmt(p.gflops, 1).padStart(9)}`);
    }
  }
  console.log(`\ncompletion latency, 40-character greedy suggestion, context ${contextChars} characters, ${latency.quantized ? 'int8' : 'float32'} weights (ms):`);
  console.log(`  typing (state cached, one new character): p50 ${latency.typing.p50}  p95 ${latency.typing.p95}`);
  console.log(`  cold (state rebuilt from the context):    p50 ${latency.cold.p50}  p95 ${latency.cold.p95}`);
  console.log(`  (LSTM alone, without the n-gram and match models: typing p50 ${latency.lstmOnly.typing.p50}  p95 ${latency.lstmOnly.typing.p95}; cold p50 ${latency.lstmOnly.cold.p50}  p95 ${latency.lstmOnly.cold.p95})`);
  const rh = latency.rehearsal;
  console.log(`  rehearsal at a pause (${rh.windows} BPTT windows of 64 characters, ${rh.samples} runs): p50 ${rh.ms.p50}  p95 ${rh.ms.p95}; `
    + `a request arriving meanwhile waits one slice at most: p50 ${rh.windowMs.p50}  p95 ${rh.windowMs.p95}`);
}

function fmt(x: number | null | undefined, d: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d);
}

/** Realistic text for the latency run: Inkling's own sources (always present beside the CLI). */
function sampleText(): string {
  const file = path.join(packageRoot(), 'README.md');
  const own = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const filler = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n';
  let text = own;
  while (text.length < 20_000) text += filler;
  return text;
}
