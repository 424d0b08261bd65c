/**
 * Kernel worker thread: instantiates inkling-kernels.wasm on the shared memory it is given and helps with the
 * gemm and task jobs published in the control block (see protocol.ts) until told to exit. Bundled to dist/kernelThread.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CTL_INTS, OP, OP_EXIT, SEQ, jobTag, runChunks, spinWhileEqual, type ThreadInit } from './protocol';
import { instantiateKernels, wasmApi, type WasmMemory, type WasmModule } from './wasmApi';

function main(init: ThreadInit): void {
  const api = wasmApi();
  if (!api) throw new Error('no WebAssembly in this worker');
  const memory = init.memory as WasmMemory;
  const k = instantiateKernels(api, init.module as WasmModule, memory);
  if (k.__stack_pointer) k.__stack_pointer.value = init.stackTop;
  let chunks = 0;
  const exitIn = init.exitInChunk;
  // Test hook: exit in the middle of a claimed chunk, never completing it (what a dying thread leaves).
  const countChunk = exitIn ? (): void => { if (++chunks >= exitIn) process.exit(3); } : null;
  const runner = {
    gemm: countChunk ? (...args: Parameters<typeof k.gemm>) => { countChunk(); return k.gemm(...args); } : k.gemm.bind(k),
    task: countChunk ? (...args: Parameters<typeof k.task>) => { countChunk(); return k.task(...args); } : k.task.bind(k),
    ctlByteOffset: init.ctlByteOffset, scratch: init.scratch,
  };
  const ctl = new Int32Array(memory.buffer, init.ctlByteOffset, CTL_INTS);
  let seen = Atomics.load(ctl, SEQ);
  parentPort?.postMessage('ready');
  for (;;) {
    const seq = spinWhileEqual(ctl, SEQ, seen, init.spinMicros);
    if (seq === seen) {
      Atomics.wait(ctl, SEQ, seen);
      continue;
    }
    seen = seq;
    if (Atomics.load(ctl, OP) === OP_EXIT) break;
    try {
      runChunks(ctl, jobTag(seq), runner);
    } catch (e) {
      // runChunks flagged the error for the caller, which throws it from gemm().
      parentPort?.postMessage({ error: String(e) });
    }
  }
}

main(workerData as ThreadInit);
