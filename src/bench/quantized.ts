/**
 * Int8 against float32 inference in `Predictor` (see src/engine/kernels/quantized.ts), side by side in one run:
 *  1. µs per `Predictor.step` (with the output layer) on the reference model (embedding 32, 2 × LSTM 256,
 *     vocabulary 66, random weights), single-threaded wasm kernels, float32 or int8 products, LSTM cells in
 *     JavaScript or WebAssembly, alternating the variants in rounds; medians;
 *  2. with a trained model and held-out text: bits per character of both, scoring the text sequentially; how
 *     close their next-character distributions are; and how many greedy 40-character suggestions are identical.
 *
 * Usage: `npx tsc -b && node out/src/bench/quantized.js [<modelDir> <held-out file>] [--chars N] [--rounds N] [--prompts N]`
 */
import * as fs from 'fs';
import type { ModelConfig } from '../shared/modelConfig';
import { loadModel } from '../engine/format';
import { createKernels } from '../engine/kernels';
import { initParams, paramLayout, ParamViews, totalSize } from '../engine/params';
import { Predictor } from '../engine/predictor';

const REFERENCE: ModelConfig = { cell: 'lstm', layers: 2, units: 256, embeddingSize: 32, dropout: 0, vocabSize: 66 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function argmax(p: Float32Array): number {
  let b = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[b]!) b = i;
  return b;
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function main(): Promise<void> {
  const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !(all[i - 1] ?? '').startsWith('--'));
  const [modelDir, heldOut] = positional;
  const rounds = arg('--rounds', 15);
  const { kernels, fallbackReason } = await createKernels({ threads: 1 });
  if (fallbackReason) console.log(`note: ${fallbackReason}`);

  // 1. Step time.
  const weights = new Float32Array(totalSize(paramLayout(REFERENCE)));
  initParams(REFERENCE, new ParamViews(paramLayout(REFERENCE), weights), 1);
  const variants = [
    { name: 'float32, JS cells', p: new Predictor(kernels, REFERENCE, weights, { quantize: false, nativeCells: false }), us: [] as number[] },
    { name: 'float32, wasm cells', p: new Predictor(kernels, REFERENCE, weights, { quantize: false }), us: [] as number[] },
    { name: 'int8, JS cells', p: new Predictor(kernels, REFERENCE, weights, { nativeCells: false }), us: [] as number[] },
    { name: 'int8, wasm cells', p: new Predictor(kernels, REFERENCE, weights), us: [] as number[] },
  ];
  const steps = 400;
  for (let r = 0; r < rounds + 1; r++) {
    for (const v of variants) {
      const s = v.p.newState();
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) v.p.step(s, (i * 7) % REFERENCE.vocabSize, true);
      if (r > 0) v.us.push(((performance.now() - t0) * 1000) / steps); // round 0 warms up
    }
  }
  console.log(`Predictor.step, reference model, ${kernels.name}, ${rounds} rounds of ${steps} steps (median [min, max] µs):`);
  for (const v of variants) {
    console.log(`  ${v.name.padEnd(20)} ${median(v.us).toFixed(1)}  [${Math.min(...v.us).toFixed(1)}, ${Math.max(...v.us).toFixed(1)}]  quantized=${v.p.quantized}`);
  }
  console.log(`  speed-up of the default (int8, wasm cells) over float32 with JS cells: ${(median(variants[0]!.us) / median(variants[3]!.us)).toFixed(2)}x`);

  // 2. Quality.
  if (modelDir && heldOut) {
    const model = await loadModel(modelDir);
    const text = [...fs.readFileSync(heldOut, 'utf8')].slice(0, arg('--chars', 20000));
    const ids = text.map((ch) => model.vocab.idOf(ch));
    console.log(`\nbits/char over ${ids.length} characters of ${heldOut} (model ${JSON.stringify(model.config)}):`);
    const ps = [false, true].map((quantize) => new Predictor(kernels, model.config, model.weights, { quantize }));
    const states = ps.map((p) => p.newState());
    let probs = ps.map((p, i) => Float32Array.from(p.step(states[i]!, model.vocab.idOf('\n'))));
    const bits = [0, 0];
    let maxAbs = 0;
    let sumKl = 0;
    let maxKl = 0;
    let sameArgmax = 0;
    for (const id of ids) {
      for (let i = 0; i < 2; i++) bits[i]! -= Math.log2(Math.max(probs[i]![id]!, 1e-30));
      const [pf, pq] = probs as [Float32Array, Float32Array];
      let kl = 0;
      for (let v = 0; v < pf.length; v++) {
        maxAbs = Math.max(maxAbs, Math.abs(pf[v]! - pq[v]!));
        if (pf[v]! > 0) kl += pf[v]! * Math.log(pf[v]! / Math.max(pq[v]!, 1e-30));
      }
      sumKl += kl;
      maxKl = Math.max(maxKl, kl);
      if (argmax(pf) === argmax(pq)) sameArgmax++;
      probs = ps.map((p, i) => Float32Array.from(p.step(states[i]!, id)));
    }
    const bpc = bits.map((b) => b / ids.length);
    console.log(`  float32  ${bpc[0]!.toFixed(5)}\n  int8     ${bpc[1]!.toFixed(5)}\n  difference ${(bpc[1]! - bpc[0]!).toFixed(5)} bits/char`);
    console.log(`  next-character distributions: max |Δp| ${maxAbs.toExponential(2)}, KL(float32 ‖ int8) mean ${(sumKl / ids.length).toExponential(2)} max ${maxKl.toExponential(2)} nats; same most likely character ${sameArgmax}/${ids.length}`);

    // Greedy 40-character suggestions after 256 characters of context, at evenly spaced points of the text.
    const prompts = arg('--prompts', 100);
    let same = 0;
    let prefix = 0;
    for (let i = 0; i < prompts; i++) {
      const end = 256 + Math.floor((i * (ids.length - 300)) / prompts);
      const outs = ps.map((p) => {
        const s = p.newState();
        let pr = p.feed(s, ids.slice(end - 256, end))!;
        const out: number[] = [];
        for (let c = 0; c < 40; c++) {
          out.push(argmax(pr));
          pr = p.step(s, out[out.length - 1]!);
        }
        return out;
      });
      if (outs[0]!.join() === outs[1]!.join()) same++;
      let c = 0;
      while (c < 40 && outs[0]![c] === outs[1]![c]) c++;
      prefix += c;
    }
    console.log(`  greedy 40-character suggestions (context 256): identical ${same}/${prompts}, mean common prefix ${(prefix / prompts).toFixed(1)} characters`);
  }
  kernels.dispose();
}

void main();
