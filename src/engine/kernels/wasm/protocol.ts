/**
 * Layout of the control block through which the calling thread hands gemm jobs to kernel worker threads.
 * Each worker owns one slot of {@link SLOT_INTS} int32s in shared wasm memory; the caller writes the job
 * arguments, then bumps `SEQ` and notifies; the worker runs the job and stores the same value into `DONE`,
 * then notifies. Both sides spin briefly before sleeping in `Atomics.wait`, because consecutive gemms of a
 * training step come microseconds apart and a futex wake-up costs tens of microseconds.
 */

/** Job counter, written by the caller. */
export const SEQ = 0;
/** Last finished job, written by the worker. */
export const DONE = 1;
/** Operation: {@link OP_GEMM} or {@link OP_EXIT}. */
export const OP = 2;
/** Non-zero when the worker's last job threw. */
export const ERR = 3;
/** gemm arguments, in the order of the wasm export, from here on (13 values; pointers as int32 bit patterns). */
export const ARGS = 4;
export const SLOT_INTS = 32; // 128 bytes: two cache lines, so slots of different workers never share one

export const OP_GEMM = 1;
export const OP_EXIT = 2;

/** What a kernel worker receives as `workerData`. */
export interface ThreadInit {
  /** The shared `WebAssembly.Memory`. */
  memory: unknown;
  /** The compiled kernel module. */
  module: unknown;
  /** Byte offset of this worker's control slot. */
  slotByteOffset: number;
  /** Initial stack pointer (top of this worker's private stack region), bytes. */
  stackTop: number;
  /** Microseconds to poll `SEQ` after a job before sleeping in `Atomics.wait`. */
  spinMicros: number;
}

/**
 * Polls `ctl[index]` while it equals `value`, for up to `micros` microseconds; returns the last value seen.
 * (An Atomics.load costs tens of nanoseconds in V8, so the clock is read only every 16 polls.)
 */
export function spinWhileEqual(ctl: Int32Array, index: number, value: number, micros: number): number {
  let v = Atomics.load(ctl, index);
  if (v !== value || micros <= 0) return v;
  const end = performance.now() + micros / 1000;
  for (;;) {
    for (let i = 0; i < 16; i++) {
      v = Atomics.load(ctl, index);
      if (v !== value) return v;
    }
    if (performance.now() >= end) return v;
  }
}
