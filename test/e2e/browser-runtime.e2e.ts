// The browser runtime check (scripts/browser-runtime.mjs): both WebAssembly builds in a real Chromium page, served
// without and with cross-origin isolation. The single-threaded build must run (and agree with the JS reference
// kernels) in both pages; the threaded build needs shared memory, so it must run only in the isolated page, and in
// the other one fall back to the JS kernels saying why.
import * as assert from 'assert';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { repoRoot } from './harness';

interface BuildReport { kernels: string; fallbackReason?: string; maxRelError?: number; trainingRelError?: number }
interface RuntimeReport {
  where: string; crossOriginIsolated: boolean; sharedArrayBuffer: boolean; simd: string; single: BuildReport; threaded: BuildReport; threadedMulti?: BuildReport;
}
interface Responsive { completions: number; maxGapMs: number; trainSteps: number; kernels: string }
interface WorkerCheck {
  trained: string; kernels: string; note: string; indexFiles: number; loaded: boolean; items: string[]; source: string;
  typing: { shared: boolean; pausedSeen: boolean; stepsWhileTyping: number; pausedAtStep: number; finalStep: number; ended: string };
}
interface RuntimeModule {
  phaseLog(write?: (line: string) => void): (line: string) => void;
  runAll(o: { seconds: number; responsivenessSeconds?: number; log?: (line: string) => void }): Promise<{
    node: RuntimeReport; plain: RuntimeReport; isolated: RuntimeReport; responsive?: { chromium: Responsive; node: Responsive };
    workers: WorkerCheck; isolatedWorkers: WorkerCheck;
  }>;
}

const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

describe('Browser runtime: both wasm builds, with and without cross-origin isolation', function () {
  this.timeout(300_000);
  let r: Awaited<ReturnType<RuntimeModule['runAll']>>;

  before(async () => {
    const mod = await importEsm(pathToFileURL(path.join(repoRoot, 'scripts', 'browser-runtime.mjs')).href) as RuntimeModule;
    // Each phase's start and end, stamped: a run that does not finish shows where it stands.
    r = await mod.runAll({ seconds: 0, responsivenessSeconds: 8, log: mod.phaseLog((line) => console.log(`      ${line}`)) });
    console.log(`      ${r.plain.where}: ${JSON.stringify({ plain: r.plain, isolated: r.isolated })}`);
  });

  it('a page that is not cross-origin isolated: no SharedArrayBuffer; the single-threaded build runs and agrees with JS', () => {
    assert.equal(r.plain.crossOriginIsolated, false);
    assert.equal(r.plain.sharedArrayBuffer, false);
    assert.equal(r.plain.simd, 'yes');
    assert.match(r.plain.single.kernels, /wasm-simd \(single-threaded build\)/);
    assert.ok(r.plain.single.maxRelError! < 1e-5, `gemm error ${r.plain.single.maxRelError}`);
    assert.ok(r.plain.single.trainingRelError! < 1e-4, `training error ${r.plain.single.trainingRelError}`);
  });

  it('the same page: the threaded build cannot get shared memory, and the JS kernels take over with the reason', () => {
    assert.equal(r.plain.threaded.kernels, 'js');
    assert.match(r.plain.threaded.fallbackReason ?? '', /SharedArrayBuffer/);
  });

  it('a cross-origin isolated page (COOP + COEP): both builds run and agree with JS', () => {
    assert.equal(r.isolated.crossOriginIsolated, true);
    assert.equal(r.isolated.sharedArrayBuffer, true);
    assert.match(r.isolated.single.kernels, /single-threaded build/);
    assert.equal(r.isolated.threaded.kernels, 'wasm-simd');
    for (const b of [r.isolated.single, r.isolated.threaded]) {
      assert.ok(b.maxRelError! < 1e-5, `${b.kernels}: gemm error ${b.maxRelError}`);
      assert.ok(b.trainingRelError! < 1e-4, `${b.kernels}: training error ${b.trainingRelError}`);
    }
  });

  it('in a worker of the isolated page, the threaded build runs on 2 threads (Web Workers as kernel threads) and agrees with JS', () => {
    const b = r.isolated.threadedMulti!;
    assert.equal(b.kernels, 'wasm-simd x2', JSON.stringify(b));
    assert.ok(b.maxRelError! < 1e-5, `gemm error ${b.maxRelError}`);
    assert.ok(b.trainingRelError! < 1e-4, `training error ${b.trainingRelError}`);
    assert.equal(r.plain.threadedMulti, undefined, 'no threads where the page is not isolated');
  });

  it('in the page, training time-sliced on one thread lets completions through between its steps', () => {
    const c = r.responsive!.chromium;
    console.log(`      ${c.completions} completions served during ${c.trainSteps} training steps; largest gap ${c.maxGapMs} ms (${c.kernels})`);
    assert.match(c.kernels, /single-threaded build/);
    assert.ok(c.trainSteps > 0, 'training made steps');
    assert.ok(c.completions >= c.trainSteps / 2, `completions served between the training steps (${c.completions} for ${c.trainSteps} steps)`);
  });

  it('the web extension\'s Web Workers: training writes a model through the host, the completion worker indexes, loads it and completes', () => {
    const w = r.workers;
    console.log(`      ${JSON.stringify(w)}`);
    assert.equal(w.trained, 'steps');
    assert.match(w.kernels, /single-threaded build/);
    assert.ok(w.indexFiles > 0);
    assert.equal(w.loaded, true);
    assert.ok(['mixed', 'lstm', 'ngram'].includes(w.source), w.source);
  });

  it('the training Web Worker pauses while the user types, with the keystrokes sent as messages where memory is not shared', () => {
    for (const [where, t] of [['not isolated', r.workers.typing], ['isolated', r.isolatedWorkers.typing]] as const) {
      console.log(`      ${where}: ${JSON.stringify(t)}`);
      assert.equal(t.shared, where === 'isolated', 'shared memory exactly where the page is cross-origin isolated');
      assert.ok(t.pausedSeen, `${where}: the run paused`);
      assert.equal(t.stepsWhileTyping, 0, `${where}: no steps while the user typed`);
      assert.equal(t.ended, 'steps');
      assert.ok(t.finalStep > t.pausedAtStep, `${where}: it went on after the user stopped`);
    }
  });

  it('in the isolated page, the training worker trains on the threaded build with 2 threads (kernel threads in Web Workers)', () => {
    const w = r.isolatedWorkers;
    console.log(`      ${JSON.stringify(w)}`);
    assert.equal(w.trained, 'steps');
    assert.equal(w.kernels, 'wasm-simd x2');
    assert.match(w.note, /threaded WebAssembly build on 2 thread/);
    assert.equal(w.loaded, true);
    // Not isolated, the same offer is declined: the single-threaded build, as the check above asserts.
    assert.doesNotMatch(r.workers.note, /threaded WebAssembly build/);
  });

  it('Node: the same checks pass with the threaded build (the desktop\'s)', () => {
    assert.equal(r.node.threaded.kernels, 'wasm-simd');
    assert.match(r.node.single.kernels, /single-threaded build/);
    assert.ok(r.node.threaded.maxRelError! < 1e-5 && r.node.single.maxRelError! < 1e-5);
    assert.equal(r.node.threadedMulti?.kernels, 'wasm-simd x2');
    assert.ok(r.node.threadedMulti!.maxRelError! < 1e-5);
  });
});
