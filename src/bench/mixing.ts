/**
 * How to mix the LSTM with the n-gram model: records, for each held-out character, the LSTM's and the adaptive
 * n-gram's distributions (over the LSTM's vocabulary) once, then replays several mixing rules over them and
 * prints their bits per character side by side. Used to choose the rule in `src/mix/mixer.ts`.
 *
 * Usage: `npx tsc -b && node out/src/bench/mixing.js <modelDir> <held-out file or folder> <training folder or file> [--chars N] [--match]`
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadModel } from '../engine/format';
import { createKernels } from '../engine/kernels';
import { Predictor } from '../engine/predictor';
import { NGramModel } from '../ngram';
import { MatchModel, MixedPredictor } from '../mix';
import { Mixer } from '../mix/mixer';

function readAll(p: string): string {
  if (fs.statSync(p).isFile()) return fs.readFileSync(p, 'utf8');
  return fs.readdirSync(p, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile()).map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'utf8')).join('\n\n');
}

async function main(): Promise<void> {
  const [modelDir, heldOut, trainPath] = process.argv.slice(2);
  const i = process.argv.indexOf('--chars');
  const maxChars = i >= 0 ? Number(process.argv[i + 1]) : 20000;
  const model = await loadModel(modelDir!);
  const text = [...readAll(heldOut!)].slice(0, maxChars);
  const ngram = new NGramModel();
  const trainText = readAll(trainPath!);
  ngram.add(trainText);
  // --match: the n-gram part is sharpened by the long-range match model (as in the product).
  let match: MatchModel | null = null;
  if (process.argv.includes('--match')) {
    match = new MatchModel();
    match.addText(trainText);
  }
  const { kernels } = await createKernels({ threads: 1 });
  const mixed = new MixedPredictor(new Predictor(kernels, model.config, model.weights), model.vocab, ngram, undefined, match);
  const V = model.vocab.size;
  const n = text.length;
  const L = new Float32Array(n * V);
  const N = new Float32Array(n * V);
  const depth = new Int32Array(n);
  const target = new Int32Array(n);
  const state = mixed.newState();
  mixed.feed(state, [model.vocab.idOf('\n')]);
  for (let t = 0; t < n; t++) {
    L.set(state.lastL, t * V);
    N.set(state.lastN, t * V);
    depth[t] = Math.floor(state.bucket / 4); // the matched n-gram order (the bucket also holds a confidence level)
    target[t] = model.vocab.idOf(text[t]!);
    mixed.observe(state, text[t]!);
  }
  kernels.dispose();

  const results: [string, number][] = [];
  const score = (name: string, prob: (t: number) => number): void => {
    let bits = 0;
    for (let t = 0; t < n; t++) bits -= Math.log2(Math.max(prob(t), 1e-300));
    results.push([name, bits / n]);
  };
  score('lstm', (t) => L[t * V + target[t]!]!);
  score('ngram (adaptive)', (t) => N[t * V + target[t]!]!);
  for (const lam of [0.3, 0.5, 0.7]) score(`linear fixed w=${lam}`, (t) => lam * L[t * V + target[t]!]! + (1 - lam) * N[t * V + target[t]!]!);
  const conf = (t: number): number => {
    let m = 0;
    for (let v = 0; v < V; v++) m = Math.max(m, L[t * V + v]!);
    return m < 0.3 ? 0 : m < 0.6 ? 1 : m < 0.9 ? 2 : 3;
  };
  const nconf = (t: number): number => {
    let m = 0;
    for (let v = 0; v < V; v++) m = Math.max(m, N[t * V + v]!);
    return m < 0.3 ? 0 : m < 0.6 ? 1 : m < 0.9 ? 2 : 3;
  };
  const buckets: [string, number, (t: number) => number][] = [
    ['one', 1, () => 0],
    ['depth', 9, (t) => depth[t]!],
    ['depth×lstmConf', 36, (t) => depth[t]! * 4 + conf(t)],
    ['depth×ngramConf', 36, (t) => depth[t]! * 4 + nconf(t)],
    ['depth×both', 144, (t) => (depth[t]! * 4 + conf(t)) * 4 + nconf(t)],
  ];
  for (const [bn, size, bucket] of buckets) {
    for (const rate of [0.1, 0.3, 1, 2]) {
      const mixer = new Mixer({ buckets: size, rate });
      score(`linear ${bn} rate ${rate}`, (t) => {
        const b = bucket(t);
        const pl = L[t * V + target[t]!]!;
        const pn = N[t * V + target[t]!]!;
        const p = mixer.mix(b, pl, pn);
        mixer.update(b, pl, pn);
        return p;
      });
    }
  }
  // Log-linear (geometric) mixing: p ∝ pL^a · pN^b per bucket, weights by online gradient descent.
  for (const [bn, size, bucket] of buckets.slice(1, 3)) {
    for (const rate of [0.005, 0.02, 0.05]) {
      const wa = new Float64Array(size).fill(0.6);
      const wb = new Float64Array(size).fill(0.6);
      const q = new Float64Array(V);
      score(`geometric ${bn} rate ${rate}`, (t) => {
        const b = bucket(t);
        let z = 0;
        for (let v = 0; v < V; v++) {
          const lv = Math.log(Math.max(L[t * V + v]!, 1e-12));
          const nv = Math.log(Math.max(N[t * V + v]!, 1e-12));
          q[v] = Math.exp(wa[b]! * lv + wb[b]! * nv);
          z += q[v]!;
        }
        let ea = 0;
        let eb = 0;
        for (let v = 0; v < V; v++) {
          q[v] = q[v]! / z;
          ea += q[v]! * Math.log(Math.max(L[t * V + v]!, 1e-12));
          eb += q[v]! * Math.log(Math.max(N[t * V + v]!, 1e-12));
        }
        const y = target[t]!;
        const p = q[y]!;
        wa[b] = wa[b]! + rate * (Math.log(Math.max(L[t * V + y]!, 1e-12)) - ea);
        wb[b] = wb[b]! + rate * (Math.log(Math.max(N[t * V + y]!, 1e-12)) - eb);
        return p;
      });
    }
  }
  for (const [name, bits] of results) console.log(`${bits.toFixed(4)}  ${name}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
