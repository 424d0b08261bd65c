// The end-of-run evaluations as steps: sliced with turns of the event loop between them (as training time-sliced in
// the browser's extension host worker runs them) they give exactly what running them at once gives, and other work
// (a completion request, here a timer) runs in between instead of waiting for the whole pass.
import assert from 'node:assert/strict';
import { compareOnHeldOut, compareOnHeldOutSteps } from '../../src/eval/heldOutComparison';
import { heldOutGhostText, heldOutGhostTextSteps, workspaceParts, workspacePartsSteps } from '../../src/eval/ghostText';
import { JsKernels } from '../../src/engine/kernels/js';
import { DEFAULT_TRAIN } from '../../src/shared/modelConfig';
import { nextTurn } from '../../src/shared/platform';
import { runNow, runSliced } from '../../src/shared/steps';
import { makeModel } from '../helpers/models';

const train = Array.from({ length: 12 }, (_, i) => `export function f${i}(x: number): number {\n  return x * ${i} + ${i % 3};\n}\n`.repeat(6));
const held = [{ path: 'held.ts', text: 'export function g(x: number): number {\n  return x * 2 + 1;\n}\n'.repeat(8) }];

function model() {
  const m = makeModel({ text: [...train, ...held.map((h) => h.text)].join(''), layers: 1, units: 16, embeddingSize: 8, dropout: 0 });
  m.meta.training = { config: { ...DEFAULT_TRAIN, minutes: 1 }, steps: 1, epochs: 0, elapsedSec: 1, charsPerSec: 1, backend: 'js', trainBitsPerChar: 4, validationBitsPerChar: 3.5, stopReason: 'test' };
  return m;
}

/** Runs `f` while a 0 ms timer keeps re-arming itself; returns f's result and how many times the timer ran. */
async function withTicks<T>(f: () => Promise<T>): Promise<{ value: T; ticks: number }> {
  let ticks = 0;
  let on = true;
  const tick = (): void => { if (on) { ticks++; setTimeout(tick, 0); } };
  setTimeout(tick, 0);
  const value = await f();
  on = false;
  return { value, ticks };
}

describe('end-of-run evaluations in slices', () => {
  const kernels = new JsKernels();

  it('the held-out comparison, the workspace parts and the held-out ghost text equal the one-pass results, with turns between', async () => {
    const m = model();
    const heldTexts = held.map((h) => h.text);
    const compare = await withTicks(() => runSliced(compareOnHeldOutSteps(kernels, m, train, heldTexts), nextTurn, 1));
    assert.deepEqual(compare.value, compareOnHeldOut(kernels, m, train, heldTexts));
    const parts = await withTicks(() => runSliced(workspacePartsSteps(train), nextTurn, 0));
    const once = workspaceParts(train);
    assert.equal(parts.value.ngramBits, once.ngramBits);
    const ghost = await withTicks(() => runSliced(heldOutGhostTextSteps(kernels, m, parts.value, held, { threshold: 0.4, typingChars: 300 }), nextTurn, 1));
    assert.deepEqual(ghost.value, heldOutGhostText(kernels, m, once, held, { threshold: 0.4, typingChars: 300 }));
    assert.ok(ghost.value && ghost.value.typedChars > 0);
    for (const [what, r] of [['comparison', compare], ['parts', parts], ['ghost text', ghost]] as const) {
      assert.ok(r.ticks > 0, `other work ran during the ${what}`);
    }
    assert.deepEqual(runNow(compareOnHeldOutSteps(kernels, m, train, heldTexts)), compare.value);
  });
});
