/**
 * Dynamic evaluation's step size: held-out bits/char of a trained model's LSTM alone, reading the text one
 * character at a time and learning from each (output layer SGD), for several step sizes side by side.
 *
 * Usage: `npx tsc -p . && node out/bench/adapt.js <modelDir> <held-out file or folder> [--chars 20000] [--rates 0,0.003,0.01,0.03]`
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadModel } from '../engine/format';
import { createKernels } from '../engine/kernels';
import { Predictor } from '../engine/predictor';

function readAll(p: string): string {
  if (fs.statSync(p).isFile()) return fs.readFileSync(p, 'utf8');
  return fs.readdirSync(p, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile()).sort((a, b) => (path.join(a.parentPath, a.name) < path.join(b.parentPath, b.name) ? -1 : 1))
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'utf8')).join('\n\n');
}

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

async function main(): Promise<void> {
  const [modelDir, heldOut] = process.argv.slice(2);
  const model = await loadModel(modelDir!);
  const ids = model.vocab.encode(readAll(heldOut!).slice(0, Number(arg('chars', '20000'))));
  const { kernels } = await createKernels({ threads: 1 });
  for (const rate of arg('rates', '0,0.003,0.01,0.03').split(',').map(Number)) {
    const p = new Predictor(kernels, model.config, model.weights, { adaptRate: rate });
    const state = p.newState();
    let probs = p.step(state, ids[0]!).slice();
    let bits = 0;
    const t0 = performance.now();
    for (let i = 1; i < ids.length; i++) {
      bits -= Math.log2(Math.max(probs[ids[i]!]!, 1e-30));
      probs = p.feed(state, [ids[i]!], true)!.slice();
    }
    const us = ((performance.now() - t0) * 1000) / (ids.length - 1);
    console.log(JSON.stringify({ rate, bitsPerChar: Number((bits / (ids.length - 1)).toFixed(4)), chars: ids.length - 1, microsecondsPerChar: Math.round(us) }));
  }
  kernels.dispose();
}

void main().catch((e: Error) => { console.error(e.stack ?? e.message); process.exitCode = 1; });
