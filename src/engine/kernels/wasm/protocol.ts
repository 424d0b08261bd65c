/**
 * How the calling thread shares one gemm with the kernel worker threads, through a control block of
 * {@link CTL_INTS} int32s in shared wasm memory.
 *
 * The caller splits C into `parts` chunks of `chunk` columns (or rows) and writes the job; every thread,
 * the caller included, then claims chunks one at a time with a compare-and-swap on `CLAIM` and runs them.
 * Claiming dynamically means a worker the OS has not scheduled (a busy machine, an editor and a language
 * server on the same cores) costs nothing: the caller simply does all chunks itself.
 *
 * `CLAIM` holds `(tag << 16) | nextChunk`, where `tag` identifies the job; the caller closes it (a tag no job
 * uses) once every chunk is done and before it writes the next job, so a worker that wakes late can never
 * claim a chunk of a job whose arguments it did not read. Workers spin briefly on `SEQ` before sleeping in
 * `Atomics.wait`, because consecutive gemms of a training step come closer together than a futex wake-up.
 */

/** Job counter, bumped by the caller for each job (and for exit). */
export const SEQ = 0;
/** Operation of the current job: {@link OP_GEMM}, {@link OP_TASK} or {@link OP_EXIT}. */
export const OP = 1;
/** `(tag << 16) | next unclaimed chunk`. */
export const CLAIM = 2;
/** Chunks finished (by any thread) in the current job. */
export const COMPLETED = 3;
/** Non-zero when a worker's chunk threw. */
export const ERR = 4;
/** 1 when C is split by columns, 0 by rows. */
export const BY_COLS = 5;
/** Columns (or rows) per chunk. */
export const CHUNK = 6;
/** Number of chunks. */
export const PARTS = 7;
/**
 * Arguments from here on, pointers as int32 bit patterns. gemm: 12 values tA tB m n k a lda b ldb c ldc acc.
 * task: the task's operation number (see train.c), then its arguments (read in place by train.c).
 */
export const ARGS = 8;
/** Argument slots available. */
export const MAX_ARGS = 24;
export const CTL_INTS = ARGS + MAX_ARGS;

export const OP_GEMM = 1;
export const OP_EXIT = 2;
/** A job of train.c's `task`: chunk `idx` runs `task(op, idx, args, scratch)`. */
export const OP_TASK = 3;
/** Tag of a closed CLAIM word; job tags are 0 .. CLOSED_TAG - 1. */
export const CLOSED_TAG = 0x7fff;
export const MAX_PARTS = 0xffff;

/** The CLAIM tag of job number `seq`. */
export function jobTag(seq: number): number {
  return (seq >>> 0) % CLOSED_TAG;
}

/** What a kernel worker receives as `workerData`. */
export interface ThreadInit {
  /** The shared `WebAssembly.Memory`. */
  memory: unknown;
  /** The compiled kernel module. */
  module: unknown;
  /** Byte offset of the control block. */
  ctlByteOffset: number;
  /** Byte offset of this worker's gemm scratch region. */
  scratch: number;
  /** Initial stack pointer (top of this worker's private stack region), bytes. */
  stackTop: number;
  /** Microseconds to poll `SEQ` after a job before sleeping in `Atomics.wait`. */
  spinMicros: number;
  /** For tests: the thread exits in the middle of its chunk number N (after claiming it), as a thread that dies would. */
  exitInChunk?: number;
}

export type GemmFn = (
  tA: number, tB: number, m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number,
  c: number, ldc: number, acc: number, scratch: number,
) => void;

/** train.c's `task(op, idx, args, scratch)`; `args` is the byte address of the task's arguments. */
export type TaskFn = (op: number, idx: number, args: number, scratch: number) => void;

/** What runs the chunks of a job on one thread: the module's entry points and where the control block is. */
export interface ChunkRunner {
  gemm: GemmFn;
  task: TaskFn;
  /** Byte address of the control block in the shared memory. */
  ctlByteOffset: number;
  scratch: number;
}

/**
 * Claims and runs chunks of the job tagged `tag` until none is left; returns how many this thread ran.
 * The job arguments must have been read from `ctl` after the job was published (see the module comment).
 */
export function runChunks(ctl: Int32Array, tag: number, r: ChunkRunner): number {
  // Atomic loads: with all accesses to the block sequentially consistent, arguments read before a successful
  // claim are those of the job the claim's tag names (the caller writes a new job only after closing CLAIM).
  const arg = (i: number): number => Atomics.load(ctl, ARGS + i);
  const { gemm, scratch } = r;
  if (Atomics.load(ctl, OP) === OP_TASK) return runTaskChunks(ctl, tag, r);
  const tA = arg(0), tB = arg(1), m = arg(2), n = arg(3), k = arg(4);
  const a = arg(5) >>> 0, lda = arg(6), b = arg(7) >>> 0, ldb = arg(8), c = arg(9) >>> 0, ldc = arg(10), acc = arg(11);
  const byCols = Atomics.load(ctl, BY_COLS) === 1, chunk = Atomics.load(ctl, CHUNK), parts = Atomics.load(ctl, PARTS);
  const dim = byCols ? n : m;
  let ran = 0;
  for (;;) {
    const cur = Atomics.load(ctl, CLAIM);
    if (cur >>> 16 !== tag) return ran;
    const idx = cur & 0xffff;
    if (idx >= parts) return ran;
    if (Atomics.compareExchange(ctl, CLAIM, cur, cur + 1) !== cur) continue;
    const lo = idx * chunk;
    const len = Math.min(chunk, dim - lo);
    try {
      if (byCols) gemm(tA, tB, m, len, k, a, lda, b + 4 * (tB ? lo * ldb : lo), ldb, c + 4 * lo, ldc, acc, scratch);
      else gemm(tA, tB, len, n, k, a + 4 * (tA ? lo : lo * lda), lda, b, ldb, c + 4 * lo * ldc, ldc, acc, scratch);
    } catch (e) {
      Atomics.store(ctl, ERR, 1);
      throw e;
    } finally {
      Atomics.add(ctl, COMPLETED, 1);
      Atomics.notify(ctl, COMPLETED);
    }
    ran++;
  }
}

/** {@link runChunks} for a task job: every chunk is one `task` call with its index. */
function runTaskChunks(ctl: Int32Array, tag: number, r: ChunkRunner): number {
  const op = Atomics.load(ctl, ARGS);
  const parts = Atomics.load(ctl, PARTS);
  const args = r.ctlByteOffset + 4 * (ARGS + 1);
  let ran = 0;
  for (;;) {
    const cur = Atomics.load(ctl, CLAIM);
    if (cur >>> 16 !== tag) return ran;
    const idx = cur & 0xffff;
    if (idx >= parts) return ran;
    if (Atomics.compareExchange(ctl, CLAIM, cur, cur + 1) !== cur) continue;
    try {
      r.task(op, idx, args, r.scratch);
    } catch (e) {
      Atomics.store(ctl, ERR, 1);
      throw e;
    } finally {
      Atomics.add(ctl, COMPLETED, 1);
      Atomics.notify(ctl, COMPLETED);
    }
    ran++;
  }
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
