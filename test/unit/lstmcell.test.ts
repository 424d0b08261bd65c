import * as assert from 'node:assert/strict';
import path from 'node:path';
import * as cells from '../../src/engine/cells';
import { WasmKernels } from '../../src/engine/kernels';
import { locateWasm } from '../../src/engine/kernels/wasm/locate';

describe('WasmKernels.lstmCell (batch-1 LSTM step in WebAssembly)', function () {
  let K: WasmKernels | undefined;
  before(async function () {
    if (!locateWasm(path.join(__dirname, '../../src/engine/kernels/wasm')).path) this.skip();
    K = await WasmKernels.create({ threads: 1 });
  });
  after(() => K?.dispose());

  it('matches cells.lstmForward within 2e-6 for H = 1, 3, 4, 7, 256, 257, including saturated gates', () => {
    let s = 7;
    const r = (): number => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return s / 0x40000000 - 1;
    };
    for (const H of [1, 3, 4, 7, 256, 257]) {
      const gates = K!.alloc(4 * H);
      const c = K!.alloc(H);
      const h = K!.alloc(H + 1);
      h[H] = 42;
      const special = [0, 1e-8, -1e-8, 30, -30, 100, -100, 1e30, -1e30];
      gates.forEach((_, i) => (gates[i] = i < special.length ? special[i]! : r() * (i % 3 === 0 ? 12 : 3)));
      c.forEach((_, i) => (c[i] = r() * 4));
      const refGates = Float32Array.from(gates);
      const refC = new Float32Array(H);
      const refH = new Float32Array(H);
      cells.lstmForward(1, H, refGates, Float32Array.from(c), refC, refH);
      const before = Float32Array.from(gates);
      K!.lstmCell(H, gates, c, h);
      for (let j = 0; j < H; j++) {
        assert.ok(Math.abs(c[j]! - refC[j]!) <= 2e-6 * Math.max(1, Math.abs(refC[j]!)), `H=${H} c[${j}]: ${c[j]} vs ${refC[j]}`);
        assert.ok(Math.abs(h[j]! - refH[j]!) <= 2e-6, `H=${H} h[${j}]: ${h[j]} vs ${refH[j]}`);
      }
      assert.equal(h[H], 42, 'wrote past h');
      assert.deepEqual([...gates], [...before], 'gates must be left as they are');
    }
  });
});
