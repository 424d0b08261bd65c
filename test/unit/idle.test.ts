/**
 * Background training while the editor is idle (issue 13): when a run may start, the battery reading, and the
 * trainer keeping to its CPU share.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IDLE_FRUITLESS_RUNS, IdlePolicy, onBatteryFrom, type IdleInputs } from '../../src/shared/idle';
import { linuxOnBattery } from '../../src/host/power';
import { resolveTrainConfig, type ModelConfig } from '../../src/shared/modelConfig';
import { JsKernels } from '../../src/engine/kernels/js';
import { train } from '../../src/engine/trainer';
import { Vocabulary } from '../../src/engine/vocab';

const READY: IdleInputs = { enabled: true, canTrain: true, busy: false, onBattery: false };

describe('background training when idle: the policy', () => {
  it('starts only after the idle time since the last activity, and the wait starts again after each activity', () => {
    const p = new IdlePolicy(60_000, 0);
    assert.deepEqual(p.decide(59_999, READY), { start: false, why: 'the editor is not idle yet', retryAt: 60_000 });
    assert.deepEqual(p.decide(60_000, READY), { start: true });
    p.noteActivity(70_000);
    assert.equal(p.decide(100_000, READY).start, false);
    assert.deepEqual(p.decide(130_000, READY), { start: true });
  });

  it('never starts when off, without a trusted folder, while training runs or on battery; says why', () => {
    const p = new IdlePolicy(1000, 0);
    assert.match(JSON.stringify(p.decide(5000, { ...READY, enabled: false })), /off/);
    assert.equal((p.decide(5000, { ...READY, enabled: false }) as { retryAt: number | null }).retryAt, null);
    assert.match(JSON.stringify(p.decide(5000, { ...READY, canTrain: false })), /no trusted folder/);
    const busy = p.decide(5000, { ...READY, busy: true });
    assert.ok(!busy.start && busy.retryAt! > 5000 && /already running/.test(busy.why));
    const battery = p.decide(5000, { ...READY, onBattery: true });
    assert.ok(!battery.start && /battery/.test(battery.why) && battery.retryAt === 65_000);
    // Where the platform does not tell, it does not wait for mains power.
    assert.deepEqual(p.decide(5000, { ...READY, onBattery: undefined }), { start: true });
  });

  it(`waits for a saved file after ${IDLE_FRUITLESS_RUNS} runs in a row that did not improve the model`, () => {
    const p = new IdlePolicy(1000, 0);
    p.noteRunEnded(10_000, false);
    p.noteRunEnded(20_000, true);
    assert.equal(p.fruitlessRuns, 0, 'an improving run resets the count');
    for (let i = 1; i <= IDLE_FRUITLESS_RUNS; i++) p.noteRunEnded(20_000 + i * 10_000, false);
    const d = p.decide(1e6, READY);
    assert.ok(!d.start && d.retryAt === null && /did not improve/.test(d.why));
    p.noteActivity(1e6, false);
    assert.equal(p.decide(2e6, READY).start, false, 'typing alone does not');
    p.noteActivity(2e6, true);
    assert.deepEqual(p.decide(3e6, READY), { start: true }, 'a save does');
    // A run that failed (the user was told once) is not tried again at every idle moment.
    p.noteRunEnded(4e6, false, true);
    assert.ok(!p.decide(5e6, READY).start);
    p.noteActivity(5e6, true);
    assert.ok(p.decide(6e6, READY).start);
  });
});

describe('background training when idle: battery', () => {
  it('reads Linux power supplies: a discharging battery or offline mains is battery power; a desktop is not', () => {
    assert.equal(onBatteryFrom([]), undefined);
    assert.equal(onBatteryFrom([{ type: 'Mains\n', online: '1\n' }]), false);
    assert.equal(onBatteryFrom([{ type: 'Mains\n', online: '1\n' }, { type: 'Battery\n', status: 'Charging\n' }]), false);
    assert.equal(onBatteryFrom([{ type: 'Mains\n', online: '0\n' }, { type: 'Battery\n', status: 'Unknown\n' }]), true);
    assert.equal(onBatteryFrom([{ type: 'Battery\n', status: 'Discharging\n' }]), true);
    assert.equal(onBatteryFrom([{ type: 'USB\n', online: '0\n' }, { type: 'Battery\n', status: 'Full\n' }]), undefined);
  });

  it('from the files of /sys/class/power_supply (a folder laid out the same way)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'inkling-power-'));
    const supply = (name: string, files: Record<string, string>) => {
      mkdirSync(path.join(dir, name));
      for (const [f, t] of Object.entries(files)) writeFileSync(path.join(dir, name, f), `${t}\n`);
    };
    supply('AC', { type: 'Mains', online: '0' });
    supply('BAT0', { type: 'Battery', status: 'Discharging' });
    assert.equal(await linuxOnBattery(dir), true);
    writeFileSync(path.join(dir, 'AC', 'online'), '1\n');
    writeFileSync(path.join(dir, 'BAT0', 'status'), 'Charging\n');
    assert.equal(await linuxOnBattery(dir), false);
    assert.equal(await linuxOnBattery(path.join(dir, 'missing')), undefined);
  });
});

describe('background training when idle: the CPU share', function () {
  this.timeout(120_000);
  it('rests after each step for as long as the share asks, and the rest is not training time', async () => {
    const text = 'function add(a, b) { return a + b; }\n'.repeat(200);
    const vocab = Vocabulary.fromText(text);
    const model: ModelConfig = { cell: 'lstm', layers: 1, units: 32, embeddingSize: 8, dropout: 0, vocabSize: vocab.size };
    const run = (cpuShare: number) => train({
      kernels: new JsKernels(), model, trainTokens: vocab.encode(text), validationTokens: new Int32Array(0),
      train: resolveTrainConfig({ minutes: 0, maxSteps: 40, batchSize: 4, seqLength: 32, cpuShare }),
    });
    const full = await run(1);
    assert.equal(full.progress.restedSec, undefined, 'at share 1 it never rests');
    const half = await run(0.25);
    const rested = half.progress.restedSec ?? 0;
    console.log(`      share 0.25: ${half.progress.step} steps, training ${half.progress.elapsedSec.toFixed(3)} s, rested ${rested.toFixed(3)} s`);
    // Resting 3× each step's time: at least 1.5× the training time (which also holds the turns between steps).
    assert.ok(rested >= 1.5 * half.progress.elapsedSec, `rested ${rested} s for ${half.progress.elapsedSec} s of training`);
    // Timers wake late on a loaded machine, so the bound above is loose.
    assert.ok(rested <= 6 * half.progress.elapsedSec, 'and not far more than the share asks');
    assert.equal(half.progress.pausedSec, 0, 'resting is not pausing for the user');
    assert.deepEqual(half.finalWeights, full.finalWeights, 'the same training, only slower');
  });
});
