// The single-threaded WebAssembly build (no shared memory, what the browser uses when the page is not
// cross-origin isolated) computes what the threaded build computes, bit for bit, and refuses what it cannot do.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createKernels, WasmKernels } from '../../src/engine/kernels';
import { locateWasm } from '../../src/engine/kernels/wasm/locate';
import { SINGLE_THREAD_WASM } from '../../src/engine/kernels/wasm/wasmKernels';
import { trainOnText } from '../../src/engine/pipeline';

const here = path.join(__dirname, '..', '..', 'src', 'engine', 'kernels', 'wasm');

describe('wasm kernels: the single-threaded build (no shared memory)', function () {
  this.timeout(120_000);
  const st = locateWasm(here, undefined, SINGLE_THREAD_WASM).path;
  const mt = locateWasm(here).path;

  before(function () {
    if (!st || !mt || !existsSync(st) || !existsSync(mt)) this.skip();
  });

  it('runs on a plain memory and trains exactly as the threaded build on one thread', async () => {
    const single = await WasmKernels.create({ sharedMemory: false, bytes: new Uint8Array(readFileSync(st!)), maxMemoryBytes: 64 << 20 });
    const threaded = await WasmKernels.create({ threads: 1 });
    try {
      assert.equal(single.threads, 1);
      assert.match(single.name, /single-threaded/);
      const a = single.alloc(4);
      assert.ok(!(a.buffer instanceof SharedArrayBuffer), 'the single-threaded build works on a plain ArrayBuffer');
      single.free(a);
      const text = 'the quick brown fox jumps over the lazy dog. '.repeat(80);
      const run = (kernels: WasmKernels) => trainOnText({
        kernels, texts: { train: [text], validation: [text.slice(0, 600)] },
        model: { cell: 'lstm', layers: 1, units: 32, embeddingSize: 8, dropout: 0 },
        train: { minutes: 0, maxSteps: 12, batchSize: 4, seqLength: 16, validateEverySeconds: 3600, seed: 7 },
      });
      const [x, y] = [await run(single), await run(threaded)];
      assert.equal(x.weights.length, y.weights.length);
      assert.deepEqual(x.weights, y.weights, 'same weights after 12 steps');
      assert.equal(x.meta.training!.validationBitsPerChar, y.meta.training!.validationBitsPerChar);
    } finally {
      single.dispose();
      threaded.dispose();
    }
  });

  it('refuses more than one thread, and an allocation past its fixed memory with a clear error', async () => {
    await assert.rejects(WasmKernels.create({ sharedMemory: false, threads: 2 }), /runs on 1 thread/);
    const k = await WasmKernels.create({ sharedMemory: false, maxMemoryBytes: 4 << 20 });
    try {
      assert.throws(() => k.alloc(8 << 20));
    } finally {
      k.dispose();
    }
  });

  it('is what createKernels gives with sharedMemory: false', async () => {
    const { kernels, fallbackReason } = await createKernels({ prefer: 'wasm', sharedMemory: false });
    try {
      assert.equal(fallbackReason, undefined);
      assert.match(kernels.name, /wasm-simd \(single-threaded build\)/);
    } finally {
      kernels.dispose();
    }
  });
});
