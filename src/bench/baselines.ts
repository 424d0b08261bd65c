/**
 * Baselines on a 90/10 split of a corpus (default: tinyshakespeare, from the shared corpora folder beside the
 * repository): n-gram bits/char at several orders (static and adaptive), training time, memory, predict/prob/
 * complete latency, and the conditional bits/char of xz, bzip2 and PPMd, side by side.
 *
 * Usage: `npx tsc -b && node --expose-gc out/src/bench/baselines.js [--corpus FILE] [--orders 4,6,8]`
 * Bits per char count code points of the held-out 10%; the held-out text is conditioned on the training text.
 */
import * as fs from 'fs';
import * as path from 'path';
import { conditionalBitsPerChar, type CompressorTool } from '../eval/compressors';
import { DEFAULT_ORDER, NGramModel, type Smoothing } from '../ngram';

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function memMB(): { heap: number; buffers: number } {
  const g = globalThis as { gc?: () => void };
  g.gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed / 2 ** 20, buffers: m.arrayBuffers / 2 ** 20 };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function latencyUs(samples: number, fn: (i: number) => void): { p50: number; p95: number } {
  const times: number[] = [];
  for (let i = 0; i < 200; i++) fn(i); // warm-up
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p95: quantile(times, 0.95) };
}

const f2 = (x: number) => x.toFixed(2);
const f3 = (x: number) => x.toFixed(3);

async function main(): Promise<void> {
  const corpus = arg('--corpus') ?? path.join(repoRoot(), '..', 'shared', 'corpora', 'tinyshakespeare.txt');
  if (!fs.existsSync(corpus)) {
    console.log(`corpus not found: ${corpus}`);
    return;
  }
  const text = fs.readFileSync(corpus, 'utf8');
  const cut = Math.floor(text.length * 0.9);
  const train = text.slice(0, cut);
  const test = text.slice(cut);
  const orders = (arg('--orders') ?? '3,4,5,6,7,8,10,12').split(',').map(Number);
  console.log(`corpus ${path.basename(corpus)}: train ${train.length} chars, held out ${test.length} chars`);
  console.log(`node ${process.version}; gc ${typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'exposed' : 'not exposed'}`);
  const start = memMB();
  console.log(`before any model: heapUsed ${f2(start.heap)} MB, arrayBuffers ${f2(start.buffers)} MB (process totals, after gc)`);
  console.log('');
  console.log('| model | order | static bpc | adaptive bpc | train s | contexts | pairs | count arrays MB | process heapUsed MB | process arrayBuffers MB |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const runs: Array<[Smoothing, number]> = [
    ...orders.map((o): [Smoothing, number] => ['kn', o]),
    ['ppmd', 5], ['ppmd', 8], ['ppmc', 5],
  ];
  for (const [smoothing, order] of runs) {
    const model = new NGramModel({ order, smoothing, maxContexts: 1 << 23 });
    const t0 = performance.now();
    model.add(train);
    const trainS = (performance.now() - t0) / 1000;
    const mem = memMB();
    const st = model.bitsPerChar(test, { history: train });
    const ad = model.bitsPerChar(test, { history: train, adaptive: true });
    const s = model.stats;
    console.log(
      `| ${smoothing} | ${order} | ${f3(st)} | ${f3(ad)} | ${f2(trainS)} | ${s.contexts} | ${s.entries} | ` +
      `${f2(s.bytes / 2 ** 20)} | ${f2(mem.heap)} | ${f2(mem.buffers)} |`,
    );
  }

  // The default configuration (default order and memory bound), as the extension would use it.
  console.log('');
  const model = new NGramModel();
  const t0 = performance.now();
  model.add(train);
  const trainS = (performance.now() - t0) / 1000;
  console.log(
    `default model (order ${DEFAULT_ORDER}, maxContexts ${model.maxContexts}): train ${f2(trainS)} s, ` +
    `static ${f3(model.bitsPerChar(test, { history: train }))}, ` +
    `adaptive ${f3(model.bitsPerChar(test, { history: train, adaptive: true }))} bits/char, ` +
    `${model.stats.contexts} contexts, ${f2(model.stats.bytes / 2 ** 20)} MB arrays`,
  );
  const samples = 5000;
  const contexts: string[] = [];
  for (let i = 0; i < samples; i++) {
    const pos = 200 + Math.floor(((i * 7919) % 10007) / 10007 * (test.length - 200));
    contexts.push(test.slice(pos - 200, pos));
  }
  const pr = latencyUs(samples, (i) => model.predict(contexts[i % samples]!));
  const pb = latencyUs(samples, (i) => model.prob(contexts[i % samples]!, 'e'));
  const cm = latencyUs(1000, (i) => model.complete(contexts[i % samples]!, 40, (ch) => ch === '\n'));
  const json = JSON.stringify(model.toJSON());
  console.log(`predict() µs per call: p50 ${f2(pr.p50)}, p95 ${f2(pr.p95)} (vocabulary ${model.vocabularySize})`);
  console.log(`prob() µs per call: p50 ${f2(pb.p50)}, p95 ${f2(pb.p95)}`);
  console.log(`complete(40 chars, stop at newline) µs per call: p50 ${f2(cm.p50)}, p95 ${f2(cm.p95)}`);
  console.log(`serialised size ${f2(json.length / 2 ** 20)} MB`);

  console.log('');
  console.log('| compressor | conditional bpc | seconds |');
  console.log('|---|---|---|');
  const tools: Array<[CompressorTool, string, number | undefined]> = [
    ['xz', 'xz -9e', undefined], ['bzip2', 'bzip2 -9', undefined],
    ['ppmd', 'PPMd o6 (7z)', 6], ['ppmd', 'PPMd o10 (7z)', 10],
  ];
  for (const [tool, label, ppmdOrder] of tools) {
    const c0 = performance.now();
    const r = await conditionalBitsPerChar(train, test, tool, ppmdOrder ? { ppmdOrder } : {});
    const secs = (performance.now() - c0) / 1000;
    console.log(`| ${label} | ${typeof r === 'number' ? f3(r) : r.unavailable} | ${f2(secs)} |`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
