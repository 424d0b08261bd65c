/**
 * Kernel worker thread: instantiates inkling-kernels.wasm on the shared memory it is given and runs the gemm
 * jobs posted to its control slot (see protocol.ts) until told to exit. Bundled to dist/kernelThread.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ARGS, DONE, ERR, OP, OP_EXIT, SEQ, SLOT_INTS, spinWhileEqual, type ThreadInit } from './protocol';
import { instantiateKernels, wasmApi, type WasmMemory, type WasmModule } from './wasmApi';

function main(init: ThreadInit): void {
  const api = wasmApi();
  if (!api) throw new Error('no WebAssembly in this worker');
  const memory = init.memory as WasmMemory;
  const k = instantiateKernels(api, init.module as WasmModule, memory);
  if (k.__stack_pointer) k.__stack_pointer.value = init.stackTop;
  const ctl = new Int32Array(memory.buffer, init.slotByteOffset, SLOT_INTS);
  let seen = Atomics.load(ctl, SEQ);
  parentPort?.postMessage('ready');
  for (;;) {
    const seq = spinWhileEqual(ctl, SEQ, seen, init.spinMicros);
    if (seq === seen) {
      Atomics.wait(ctl, SEQ, seen);
      continue;
    }
    seen = seq;
    if (ctl[OP] === OP_EXIT) break;
    let failed = 0;
    try {
      const g = (i: number): number => ctl[ARGS + i]!;
      k.gemm(g(0), g(1), g(2), g(3), g(4), g(5), g(6), g(7), g(8), g(9), g(10), g(11), g(12));
    } catch (e) {
      failed = 1;
      parentPort?.postMessage({ error: String(e) });
    }
    Atomics.store(ctl, ERR, failed);
    Atomics.store(ctl, DONE, seq);
    Atomics.notify(ctl, DONE);
  }
}

main(workerData as ThreadInit);
