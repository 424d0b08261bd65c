// The dashboard's pure host logic: which controls apply, the quality reading, the run recorder fed by training
// events, and the sample scheduler.
import assert from 'node:assert/strict';
import { controlsFor, buildState, toProgressView, toCorpusView } from '../../src/dashboard/state';
import { describeQuality, qualityLevel } from '../../src/shared/quality';
import { RunRecorder, type RecorderChange } from '../../src/dashboard/recorder';
import { SampleScheduler, type SampleRequest } from '../../src/dashboard/samples';
import { Emitter } from '../../src/shared/disposable';
import { MAX_CURVE_POINTS, type SampleView } from '../../src/shared/dashboardProtocol';
import type { TrainingEvent, CorpusInfo } from '../../src/shared/protocol';
import type { TrainProgress } from '../../src/engine/trainer';

const progress = (step: number, over: Partial<TrainProgress> = {}): TrainProgress => ({
  step, epoch: 0, trainBits: 3 - step / 1000, valBits: Number.NaN, bestValBits: Number.POSITIVE_INFINITY,
  charsPerSec: 1000, elapsedSec: step / 10, etaSec: Number.NaN, fraction: step / 10_000, learningRate: 0.002, ...over,
});
const corpus: CorpusInfo = {
  files: 3, chars: 4000, skipped: { binary: 2, ignored: 5, secret: 0, weird: 1 }, examples: [{ path: 'a.png', reason: 'binary' }],
  maskedSecrets: 1, truncated: false, report: '',
};

describe('dashboard: controls', () => {
  const base = { busy: false, trusted: true, hasFolder: true, hasModel: true };
  it('enables everything but Stop when idle with a model', () => {
    const c = controlsFor(base);
    assert.deepEqual([c.train.enabled, c.stop.enabled, c.retrain.enabled, c.export.enabled], [true, false, true, true]);
  });
  it('only Stop while training', () => {
    const c = controlsFor({ ...base, busy: true });
    assert.deepEqual([c.train.enabled, c.stop.enabled, c.retrain.enabled, c.export.enabled], [false, true, false, false]);
    assert.match(c.train.reason!, /already running/);
  });
  it('no training without a folder or trust, no export or retrain without a model; each says why', () => {
    const untrusted = controlsFor({ ...base, trusted: false });
    assert.ok(!untrusted.train.enabled && !untrusted.retrain.enabled && untrusted.export.enabled);
    assert.match(untrusted.train.reason!, /Trust/);
    const noFolder = controlsFor({ ...base, hasFolder: false, trusted: false });
    assert.match(noFolder.train.reason!, /Open a folder/);
    const noModel = controlsFor({ ...base, hasModel: false });
    assert.ok(noModel.train.enabled && !noModel.retrain.enabled && !noModel.export.enabled);
    assert.match(noModel.export.reason!, /no trained model/);
  });
});

describe('dashboard: state', () => {
  it('sends NaN and infinities as null, and clamps the fraction', () => {
    const v = toProgressView(progress(10, { fraction: 1.5 }));
    assert.equal(v.valBits, null);
    assert.equal(v.bestValBits, null);
    assert.equal(v.etaSec, null);
    assert.equal(v.fraction, 1);
    assert.doesNotThrow(() => JSON.stringify(v));
  });

  it('lists skip reasons in plain words, most first, without zeros', () => {
    const c = toCorpusView(corpus);
    assert.deepEqual(c.skipped.map((s) => [s.reason, s.count]), [['ignored', 5], ['binary', 2], ['weird', 1]]);
    assert.match(c.skipped[0]!.label, /gitignore/);
    assert.equal(c.skipped[2]!.label, 'weird');
  });

  it('takes quality from the run while there is one, else from the model', () => {
    const model = {
      config: { cell: 'lstm' as const, layers: 1, units: 32, embeddingSize: 16, dropout: 0, vocabSize: 80 },
      parameters: 12345, validationBitsPerChar: 2.2, trainedSteps: 100, trainedSec: 60, createdAt: '2025-01-01T00:00:00Z', kernels: 'wasm',
    };
    const common = {
      run: 'idle' as const, runMessage: 'x', kernels: '', corpus: null, busy: false, trusted: true, hasFolder: true, hasModel: true,
      acceptance: { shown: 1, acceptedFull: 1, acceptedPartial: 0, charsAccepted: 5 }, temperature: 0.5, model,
    };
    const idle = buildState({ ...common, progress: null });
    assert.equal(idle.quality.best, 2.2);
    assert.equal(idle.quality.level, 'fair');
    assert.equal(idle.kernels, 'wasm');
    assert.equal(idle.model?.parameters, 12345);
    const running = buildState({ ...common, progress: progress(5, { valBits: 1.9, bestValBits: 1.8 }) });
    assert.deepEqual([running.quality.now, running.quality.best, running.quality.level], [1.9, 1.8, 'good']);
  });
});

describe('dashboard: quality reading', () => {
  it('reads bits per character in plain words', () => {
    assert.equal(qualityLevel(null), 'none');
    assert.equal(qualityLevel(Number.NaN), 'none');
    assert.equal(qualityLevel(1.2), 'excellent');
    assert.equal(qualityLevel(1.99), 'good');
    assert.equal(qualityLevel(2.3), 'fair');
    assert.equal(qualityLevel(3), 'learning');
    assert.equal(qualityLevel(5), 'early');
    assert.match(describeQuality(1.9, 1.85).reading, /knows your text well/);
    assert.match(describeQuality(null, null).reading, /not measured yet/);
    assert.equal(describeQuality(Number.POSITIVE_INFINITY, null).now, null);
  });
});

describe('dashboard: run recorder', () => {
  function setup(): { fire: (e: TrainingEvent) => void; rec: RunRecorder; changes: RecorderChange['kind'][] } {
    const events = new Emitter<TrainingEvent>();
    const rec = new RunRecorder(events.event);
    const changes: RecorderChange['kind'][] = [];
    rec.onDidChange((c) => changes.push(c.kind));
    return { fire: (e) => events.fire(e), rec, changes };
  }

  it('follows a training run: corpus starts a curve, progress adds points, done ends it', () => {
    const { fire, rec, changes } = setup();
    fire({ type: 'corpus', id: 1, corpus });
    fire({ type: 'started', id: 1, kernels: 'wasm-simd x4' });
    for (let s = 1; s <= 5; s++) fire({ type: 'progress', id: 1, progress: progress(s) });
    fire({ type: 'checkpoint', id: 1, valBits: 2.5 });
    assert.equal(rec.run, 'training');
    assert.equal(rec.kernels, 'wasm-simd x4');
    assert.equal(rec.history.length, 5);
    assert.match(rec.message, /Checkpoint/);
    fire({ type: 'done', id: 1, stopReason: 'budget', progress: progress(6), model: null });
    assert.equal(rec.run, 'done');
    assert.ok(changes.includes('reset') && changes.includes('progress') && changes.includes('checkpoint'));
    // A new run starts a new curve.
    fire({ type: 'corpus', id: 2, corpus });
    assert.equal(rec.history.length, 0);
    assert.equal(rec.progress, null);
    fire({ type: 'done', id: 2, stopReason: 'aborted', progress: null, model: null });
    assert.equal(rec.run, 'stopped');
    // A run the trainer stopped early (held-out text got worse after two rollbacks) says so.
    fire({ type: 'corpus', id: 3, corpus });
    fire({ type: 'done', id: 3, stopReason: 'stalled', progress: progress(7), model: null });
    assert.equal(rec.run, 'done');
    assert.match(rec.message, /stopped early.*best weights were kept/);
  });

  it('does not plot fine-tunes, reports errors, and keeps the curve bounded', () => {
    const { fire, rec } = setup();
    fire({ type: 'corpus', id: 1, corpus });
    for (let s = 1; s <= 3000; s++) fire({ type: 'progress', id: 1, progress: progress(s) });
    assert.ok(rec.history.length <= MAX_CURVE_POINTS);
    const before = rec.history.points();
    fire({ type: 'done', id: 1, stopReason: 'budget', progress: null, model: null });
    fire({ type: 'progress', id: 7, progress: progress(1) });
    assert.equal(rec.run, 'training');
    assert.match(rec.message, /Fine-tuning/);
    assert.deepEqual(rec.history.points(), before);
    fire({ type: 'error', id: 7, message: 'boom' });
    assert.equal(rec.run, 'error');
    assert.match(rec.message, /boom/);
  });
});

describe('dashboard: sample scheduler', () => {
  it('runs one request at a time, collapses requests made meanwhile, and shows only the latest', async () => {
    const calls: SampleRequest[] = [];
    const shown: SampleView[] = [];
    let release: (() => void)[] = [];
    let params = { prompt: 'a', temperature: 0.5 };
    const s = new SampleScheduler(async (r) => {
      calls.push(r);
      await new Promise<void>((res) => release.push(res));
      return { status: 'ok', prompt: r.prompt, text: `${r.prompt}!`, temperature: r.temperature, seed: r.seed, modelSteps: 1 };
    }, () => params, (v) => shown.push(v));
    const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
    s.request();
    params = { prompt: 'b', temperature: 1 };
    s.request();
    s.request(true);
    await tick();
    assert.equal(calls.length, 1, 'one in flight');
    release.shift()!();
    await tick();
    assert.equal(shown.length, 0, 'the superseded result is not shown');
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[1], { prompt: 'b', temperature: 1, seed: 2 });
    release.shift()!();
    await tick();
    assert.deepEqual(shown.map((v) => v.text), ['b!']);
    assert.ok(s.idle);
    s.dispose();
    s.request();
    await tick();
    assert.equal(calls.length, 2, 'nothing after dispose');
    release = [];
  });

  it('turns a failure into an error sample', async () => {
    const shown: SampleView[] = [];
    const s = new SampleScheduler(() => Promise.reject(new Error('worker gone')), () => ({ prompt: '', temperature: 0 }), (v) => shown.push(v));
    s.request();
    await new Promise((r) => setImmediate(r));
    assert.equal(shown[0]?.status, 'error');
    assert.equal(shown[0]?.text, 'worker gone');
  });
});
