/**
 * The body of a kernel worker thread, whatever runs it (Node's worker_threads: thread.ts; a browser's Web Worker:
 * webThread.ts): instantiates inkling-kernels.wasm on the shared memory it is given, says `ready`, and helps with
 * the gemm and task jobs published in the control block (see protocol.ts) until told to exit.
 */
import { CTL_INTS, OP, OP_EXIT, SEQ, jobTag, runChunks, spinWhileEqual, type ThreadInit } from './protocol';
import { instantiateKernels, wasmApi, type WasmMemory, type WasmModule } from './wasmApi';

/** `post` sends to the thread that started this one; `exit` ends this thread at once (the test hook). */
export function kernelThreadLoop(init: ThreadInit, post: (m: unknown) => void, exit: (code: number) => void): void {
  const api = wasmApi();
  if (!api) throw new Error('no WebAssembly in this worker');
  const memory = init.memory as WasmMemory;
  const k = instantiateKernels(api, init.module as WasmModule, memory);
  if (k.__stack_pointer) k.__stack_pointer.value = init.stackTop;
  let chunks = 0;
  const exitIn = init.exitInChunk;
  // Test hook: exit in the middle of a claimed chunk, never completing it (what a dying thread leaves).
  const countChunk = exitIn ? (): void => { if (++chunks >= exitIn) exit(3); } : null;
  const runner = {
    gemm: countChunk ? (...args: Parameters<typeof k.gemm>) => { countChunk(); return k.gemm(...args); } : k.gemm.bind(k),
    task: countChunk ? (...args: Parameters<typeof k.task>) => { countChunk(); return k.task(...args); } : k.task.bind(k),
    ctlByteOffset: init.ctlByteOffset, scratch: init.scratch,
  };
  const ctl = new Int32Array(memory.buffer, init.ctlByteOffset, CTL_INTS);
  let seen = Atomics.load(ctl, SEQ);
  post('ready');
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
      post({ error: String(e) });
    }
  }
}
