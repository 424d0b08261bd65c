// Training yields to the user: the pure pause rule, the shared keystroke cell across a real thread, and the
// trainer's pauses (no steps while the user types, paused time outside the budget, abort while paused).
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { resolveTrainConfig } from '../../src/shared/modelConfig';
import { JsKernels } from '../../src/engine/kernels/js';
import { abortableSleep, train, type TrainProgress } from '../../src/engine/trainer';
import { Vocabulary } from '../../src/engine/vocab';
import { pauseRemaining, TYPING_QUIET_MS, TypingSignal } from '../../src/shared/typing';

const vocab = Vocabulary.fromText('abcdefgh ');
const tokens = vocab.encode('abcdefgh '.repeat(2000));
const model = { cell: 'lstm' as const, layers: 1, units: 16, embeddingSize: 8, dropout: 0, vocabSize: vocab.size };

describe('training yields to the user', function () {
  this.timeout(60_000);

  it('pauseRemaining: waits out the quiet time after the last keystroke, never longer', () => {
    const q = TYPING_QUIET_MS;
    const cases: [string, number, number, number][] = [
      // name, now, last keystroke, expected wait
      ['never typed', 10_000, 0, 0],
      ['just typed', 10_000, 10_000, q],
      ['typed 300 ms ago', 10_000, 9_700, q - 300],
      ['quiet exactly long enough', 10_000, 10_000 - q, 0],
      ['quiet for a minute', 70_000, 10_000, 0],
      ['clock went back 10 s: capped at the quiet time', 10_000, 20_000, q],
      ['NaN now', Number.NaN, 10_000, 0],
      ['NaN last keystroke', 10_000, Number.NaN, 0],
    ];
    for (const [name, now, last, expected] of cases) assert.equal(pauseRemaining(now, last), expected, name);
    assert.equal(pauseRemaining(1000, 900, 0), 0, 'quiet time 0 turns pausing off');
    assert.ok(q >= 500 && q <= 1000, 'the quiet time is within the designed range');
  });

  it('TypingSignal: a keystroke stored on one thread is read by another without a message', async () => {
    const signal = new TypingSignal();
    assert.equal(signal.last, 0);
    // The worker polls the shared cell until it changes and reports what it read.
    const worker = new Worker(`
      const { workerData, parentPort } = require('node:worker_threads');
      const cell = new BigInt64Array(workerData, 0, 1);
      parentPort.postMessage('ready');
      const t0 = Date.now();
      while (Atomics.load(cell, 0) === 0n && Date.now() - t0 < 5000) {}
      parentPort.postMessage(Number(Atomics.load(cell, 0)));
    `, { eval: true, workerData: signal.buffer });
    await new Promise((r) => worker.once('message', r));
    const seen = new Promise<number>((r) => worker.once('message', r));
    signal.touch(1_750_000_000_123);
    assert.equal(await seen, 1_750_000_000_123);
    assert.equal(signal.last, 1_750_000_000_123);
    await worker.terminate();
    assert.throws(() => new TypingSignal(new ArrayBuffer(8) as unknown as SharedArrayBuffer), /SharedArrayBuffer/);
  });

  it('takes no step while the user types, resumes after, and does not count the pause against the budget', async () => {
    let last = 0;
    let typing = false;
    let stepsWhileTyping = 0;
    let calls = 0;
    const reports: TrainProgress[] = [];
    const quiet = 200;
    const t0 = performance.now();
    const result = await train({
      kernels: new JsKernels(), model,
      train: resolveTrainConfig({ minutes: 0, maxSteps: 40, batchSize: 4, seqLength: 16, validateEverySeconds: 3600 }),
      trainTokens: tokens, validationTokens: tokens.subarray(0, 500), progressIntervalMs: 0,
      onProgress: (p) => reports.push(p),
      pauseMs: () => {
        calls++;
        if (calls === 10) {
          // The user types 12 keys, 50 ms apart (600 ms), starting before step 10.
          typing = true;
          last = Date.now();
          let n = 0;
          const timer = setInterval(() => {
            last = Date.now();
            if (++n === 12) { clearInterval(timer); typing = false; }
          }, 50);
        }
        const wait = pauseRemaining(Date.now(), last, quiet);
        if (wait === 0 && typing) stepsWhileTyping++;
        return wait;
      },
    });
    const wallSec = (performance.now() - t0) / 1000;
    assert.equal(result.stopReason, 'steps');
    assert.equal(result.progress.step, 40, 'training resumed and finished after the typing');
    assert.equal(stepsWhileTyping, 0, 'no step was taken while the user was typing');
    const paused = reports.filter((p) => p.paused);
    assert.equal(paused.length, 1, 'one "paused" report for the one burst of typing');
    assert.equal(paused[0]!.step, 9, 'paused before the 10th step');
    assert.ok(result.progress.pausedSec! >= 0.75, `paused ${result.progress.pausedSec} s (600 ms of typing + 200 ms quiet)`);
    assert.ok(result.progress.elapsedSec <= wallSec - 0.7, `training time ${result.progress.elapsedSec} s excludes the pause (wall ${wallSec} s)`);
  });

  it('a time budget is training time: a pause longer than the budget still leaves the budget to train', async () => {
    const pauseUntil = Date.now() + 800;
    const result = await train({
      kernels: new JsKernels(), model,
      train: resolveTrainConfig({ minutes: 0.3 / 60, maxSteps: 0, batchSize: 4, seqLength: 16, validateEverySeconds: 3600 }),
      trainTokens: tokens, validationTokens: tokens.subarray(0, 500),
      pauseMs: () => Math.max(0, pauseUntil - Date.now()),
    });
    assert.equal(result.stopReason, 'budget');
    assert.ok(result.progress.step > 0, 'steps were taken after the pause');
    assert.ok(result.progress.pausedSec! >= 0.7, `paused ${result.progress.pausedSec} s`);
    assert.ok(result.progress.elapsedSec >= 0.3 && result.progress.elapsedSec < 0.7, `trained ${result.progress.elapsedSec} s of a 0.3 s budget`);
  });

  it('stops at once when aborted while paused', async () => {
    const controller = new AbortController();
    const t0 = performance.now();
    setTimeout(() => controller.abort(), 150);
    const result = await train({
      kernels: new JsKernels(), model,
      train: resolveTrainConfig({ minutes: 0, maxSteps: 1000, batchSize: 4, seqLength: 16 }),
      trainTokens: tokens, validationTokens: tokens.subarray(0, 500),
      pauseMs: () => 60_000, // the user never stops typing
      signal: controller.signal,
    });
    const ms = performance.now() - t0;
    assert.equal(result.stopReason, 'aborted');
    assert.equal(result.progress.step, 0);
    assert.ok(ms < 1000, `stopped ${ms.toFixed(0)} ms after the start (abort at 150 ms)`);
  });

  it('abortableSleep sleeps, or ends early on abort', async () => {
    let t = performance.now();
    await abortableSleep(60);
    assert.ok(performance.now() - t >= 55);
    const c = new AbortController();
    t = performance.now();
    setTimeout(() => c.abort(), 20);
    await abortableSleep(10_000, c.signal);
    assert.ok(performance.now() - t < 1000);
    t = performance.now();
    await abortableSleep(10_000, c.signal); // already aborted
    assert.ok(performance.now() - t < 50);
  });
});
