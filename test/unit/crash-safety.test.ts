import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModel, saveModel } from '../../src/engine/format';
import { Rng } from '../../src/engine/rng';
import { crashPair, makeModel, whichModel } from '../helpers/models';

const saveLoop = path.join(__dirname, '..', 'fixtures', 'saveLoop.js');

/** Runs the save loop in a child, SIGKILLs it `delayMs` after it is ready, and returns the markers it wrote. */
function killDuringSaves(dir: string, first: number, delayMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [saveLoop, dir, String(first)], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      if (!timer && out.includes('ready\n')) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('error', reject);
    // 'close' comes after the child's stdout is drained, so every marker it wrote is in `out`.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`the save loop ended by itself (code ${code}): ${out}`));
      else resolve(out.split('\n').filter(Boolean));
    });
  });
}

describe('crash safety of model saves', function () {
  this.timeout(600_000); // 40 child processes that each load TF.js: 107 s on a 2-core machine at load 15-20
  let dir: string;
  before(function () {
    if (!existsSync(saveLoop)) throw new Error(`${saveLoop} is missing: compile with npx tsc -b`);
  });
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-crash-')); });
  afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('a process SIGKILLed at random moments while saving always leaves exactly one complete model', async () => {
    const models = crashPair();
    const out = path.join(dir, 'model');
    await saveModel(tf, out, models[0], { withOptimizer: true });
    let onDisk = 0;
    const rng = new Rng(20240607);
    const started = Date.now();
    let kills = 0;
    let midSave = 0;
    let beforeFirstSave = 0;
    let saves = 0;
    // At least 40 kills; more while the time allows (bounded well under a minute).
    while (kills < 40 || (kills < 80 && Date.now() - started < 20_000)) {
      // Delays from 0 to 150 ms after start-up: a save of this model takes tens of ms, so kills land in every phase.
      const markers = await killDuringSaves(out, 1 - onDisk, rng.next() * 150);
      kills++;
      assert.ok(!markers.some((m) => m.startsWith('error')), markers.join('; '));
      saves += markers.filter((m) => m.startsWith('end')).length;
      const last = markers[markers.length - 1] ?? '';
      const ends = markers.filter((m) => m.startsWith('end '));
      const lastComplete = ends.length ? Number(ends[ends.length - 1]!.slice(4)) : onDisk;
      let allowed: number[];
      if (last.startsWith('begin ')) {
        midSave++;
        allowed = [lastComplete, Number(last.slice(6))];
      } else {
        if (!last.startsWith('end ')) beforeFirstSave++;
        allowed = [lastComplete];
      }
      let loaded;
      try {
        loaded = await loadModel(out, { withOptimizer: true });
      } catch (e) {
        assert.fail(`kill ${kills} (after ${markers.join(', ')}): the folder does not load: ${(e as Error).message}`);
      }
      const found = whichModel(loaded, models);
      assert.notEqual(found, -1, `kill ${kills}: the loaded model is a mix of the two models`);
      assert.ok(allowed.includes(found), `kill ${kills} after "${last}": loaded model ${found}, expected one of ${allowed.join(', ')}`);
      onDisk = found;
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(`      ${kills} kills in ${seconds.toFixed(1)} s: ${midSave} mid-save, ${beforeFirstSave} before the first save, ` +
      `${kills - midSave - beforeFirstSave} between saves; ${saves} saves completed`);
    assert.ok(midSave >= 10, `only ${midSave} of ${kills} kills landed during a save`);

    // The next save clears what the killed processes left behind (temporary folders, the previous model).
    await saveModel(tf, out, models[1 - onDisk]!, { withOptimizer: true });
    assert.deepEqual((await fs.readdir(dir)).sort(), ['model']);
    assert.equal(whichModel(await loadModel(out, { withOptimizer: true }), models), 1 - onDisk);
  });

  /**
   * In-process fault injection, to reach every step deterministically: from the k-th file-system call of a save
   * on, every call fails, as if the process died there (nothing after that point happens). Two such crashes in
   * a row, at every pair of steps, then a normal save.
   */
  it('a save that dies at any step, then another that dies at any step, never loses the last complete model', async () => {
    const fsp = nodeFs.promises as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const ops = ['mkdir', 'readdir', 'open', 'stat', 'rename', 'rm'] as const;
    const originals = Object.fromEntries(ops.map((op) => [op, fsp[op]!]));
    let calls = 0;
    let dieAt = Infinity;
    for (const op of ops) {
      fsp[op] = function (this: unknown, ...args: unknown[]) {
        if (calls++ >= dieAt) return Promise.reject(Object.assign(new Error('simulated crash'), { code: 'ECRASH' }));
        return originals[op]!.apply(this, args);
      };
    }
    const models = [makeModel({ seed: 1, optimizer: true }), makeModel({ seed: 2, optimizer: true }), makeModel({ seed: 3, optimizer: true })];
    async function save(which: number, at: number): Promise<void> {
      calls = 0;
      dieAt = at;
      try {
        await saveModel(tf, path.join(dir, 'm'), models[which]!, { withOptimizer: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ECRASH') throw e;
      } finally {
        dieAt = Infinity;
      }
    }
    const loaded = async (): Promise<number> => whichModel(await loadModel(path.join(dir, 'm'), { withOptimizer: true }), models);
    try {
      await save(0, Infinity);
      const steps = calls;
      let cases = 0;
      for (let k = 0; k <= steps; k++) {
        for (let j = 0; j <= steps; j++) {
          await fs.rm(path.join(dir), { recursive: true, force: true });
          await fs.mkdir(dir);
          await save(0, Infinity);
          await save(1, k);
          const first = await loaded();
          assert.ok(first === 0 || first === 1, `crash at step ${k}: loaded ${first}`);
          await save(2, j);
          const second = await loaded();
          assert.ok(second === first || second === 2, `crash at step ${k}, then at step ${j}: loaded ${second}, expected ${first} or 2`);
          await save(0, Infinity);
          assert.equal(await loaded(), 0);
          assert.deepEqual(await fs.readdir(dir), ['m'], `crash at ${k}, then ${j}: leftovers`);
          cases++;
        }
      }
      console.log(`      ${cases} crash pairs over the ${steps} file-system steps of a save`);
    } finally {
      for (const op of ops) fsp[op] = originals[op]!;
    }
  });
});
