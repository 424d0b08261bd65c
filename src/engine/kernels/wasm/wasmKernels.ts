import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AdamStep, DropoutDraw, Kernels, QuantizedMatrix, RecurrentLayer, RecurrentWork, TrainOps } from '../types';
import { gatesOf } from '../../../shared/modelConfig';
import { keepThreshold } from '../reference';
import { checkGemmArgs } from '../checks';
import { checkGemvQArgs, packPanels, quantizeInt8 } from '../quantized';
import { Arena } from './arena';
import { locateThreadScript, locateWasm } from './locate';
import {
  ARGS, BY_COLS, CHUNK, CLAIM, CLOSED_TAG, COMPLETED, CTL_INTS, ERR, MAX_ARGS, MAX_PARTS, OP, OP_EXIT, OP_GEMM, OP_TASK,
  PARTS, SEQ, jobTag, runChunks, spinWhileEqual, type ChunkRunner, type ThreadInit,
} from './protocol';
import { instantiateKernels, wasmApi, type GemmExports, type WasmMemory, type WasmModule } from './wasmApi';

const PAGE = 65536;
/** Register tile of gemm.c: split points are rounded to these so that no thread gets a ragged edge tile. */
const TILE_M = 4;
const TILE_N = 8;
const STACK_BYTES = 64 * 1024;

/** Options of {@link WasmKernels.create}. */
export interface WasmKernelsOptions {
  /**
   * Path of inkling-kernels.wasm.
   * @default next to this module, else `dist/` of the package that contains it
   */
  wasmPath?: string;
  /**
   * Path of the kernel worker script.
   * @default `kernelThread.js` next to this module (bundles), or the compiled `thread.js` (tsc output), else
   * `dist/kernelThread.js` of the package
   */
  threadScript?: string;
  /**
   * Starts one kernel thread (resolving once it is ready), in place of a worker_threads Worker on `threadScript`:
   * the browser's Web Workers (webThreads.ts). @default Node's worker_threads
   */
  startThread?: ThreadStarter;
  /**
   * Threads one gemm may use, counting the calling thread (1 = no workers).
   * @default min(number of cores, 4)
   */
  threads?: number;
  /**
   * A gemm is split over threads only when m·n·k is at least this (smaller ones do not repay the wake-up).
   * @default 131072 (about 50³; on an idle 2-core machine splitting gained 1.25x at 48³, 1.6x at 64³ and lost
   * below 32³, measured with src/bench/gemm.ts --crossover-only)
   */
  parallelThreshold?: number;
  /**
   * Microseconds a worker keeps polling for the next job before it sleeps in `Atomics.wait` (waking a
   * sleeping thread costs tens of microseconds; the gemms of a training step come closer together than that).
   * The calling thread polls as long for the workers to finish their chunks before it sleeps too.
   * @default 300
   */
  spinMicros?: number;
  /**
   * Size the shared memory may grow to, bytes (rounded up to 64 KiB pages; at most 4 GiB).
   * @default 2 GiB
   */
  maxMemoryBytes?: number;
  /** Milliseconds to wait for the workers to start. @default 20000 */
  startTimeoutMs?: number;
  /**
   * A split gemm whose outstanding chunks make no progress for this long fails (a kernel thread died or hangs)
   * instead of waiting forever. A chunk is milliseconds of work. @default 3000
   */
  stallMs?: number;
  /** For tests: worker thread 1 exits in the middle of its chunk number N, as a thread that dies would. */
  exitThreadInChunk?: number;
  /**
   * The module's bytes, in place of reading `wasmPath` (the browser reads them with `workspace.fs` from the
   * extension's folder).
   */
  bytes?: Uint8Array;
  /**
   * Shared memory (the threaded build, `inkling-kernels.wasm`). `false`: the single-threaded build
   * (`inkling-kernels-st.wasm`, needs no SharedArrayBuffer) on a plain memory of fixed size (`maxMemoryBytes`,
   * default 768 MiB, reserved up front: a plain memory that grew would detach the views handed out); `threads`
   * must then be 1. @default true
   */
  sharedMemory?: boolean;
}

/** A started kernel thread, whatever runs it (Node's worker_threads, a browser's Web Worker). */
export interface KernelThread {
  terminate(): void;
  /** `listener` is called if the thread ends (it died: the kernels never end their threads but in dispose()). */
  onExit(listener: (why: string) => void): void;
}

/** Starts one kernel thread on `init`; resolves once the thread says it is ready, rejects if it cannot start. */
export type ThreadStarter = (init: ThreadInit, timeoutMs: number) => Promise<KernelThread>;

/** File name of the single-threaded build (no shared memory), in the package's dist/. */
export const SINGLE_THREAD_WASM = 'inkling-kernels-st.wasm';

/** Default thread count: the cores of this machine, at most 4 (the kernels are memory-bound beyond that). */
export function defaultThreads(): number {
  // In a browser bundle `os` is an empty shim: the browser's own count then.
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism()
    : typeof os.cpus === 'function' ? os.cpus().length
      : (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(4, cores));
}

/**
 * Kernels running inkling-kernels.wasm (WebAssembly SIMD, see gemm.c) on a shared WebAssembly.Memory.
 * {@link alloc} hands out views into that memory; {@link gemm} reads its operands in place. Large gemms are
 * split by rows or columns of C over worker threads that run the same module on the same memory.
 * Create with {@link WasmKernels.create}.
 */
export class WasmKernels implements Kernels {
  readonly name: string;
  readonly threads: number;
  private readonly arena: Arena;
  private readonly ex: GemmExports;
  /** Scratch region of each thread (index 0 = calling thread), byte offsets. */
  private readonly scratch: number[];
  private readonly scratchBytes: number;
  /** The control block shared with the workers (see protocol.ts). */
  private readonly ctl: Int32Array;
  private readonly ctlByteOffset: number;
  private readonly runner: ChunkRunner;
  /** See {@link TrainOps}: the training step's element-wise work as train.c tasks on every thread. */
  readonly train: TrainOps;
  private chunksHere = 0;
  private chunksTotal = 0;
  private readonly workers: KernelThread[];
  private readonly threshold: number;
  private readonly spinMicros: number;
  private readonly stallMs: number;
  private disposed = false;
  /** Why these kernels can no longer be used (a worker thread exited or stopped answering). */
  private broken: string | null = null;

  private constructor(args: {
    arena: Arena; ex: GemmExports; scratch: number[]; ctl: Int32Array; ctlByteOffset: number; workers: KernelThread[];
    threshold: number; spinMicros: number; scratchBytes: number; stallMs: number; shared: boolean;
  }) {
    this.stallMs = args.stallMs;
    args.workers.forEach((w, i) => w.onExit((why) => {
      if (!this.disposed) this.broken ??= `kernel worker thread ${i + 1} ${why}`;
    }));
    this.scratchBytes = args.scratchBytes;
    this.arena = args.arena;
    this.ex = args.ex;
    this.scratch = args.scratch;
    this.ctl = args.ctl;
    this.ctlByteOffset = args.ctlByteOffset;
    this.runner = {
      gemm: args.ex.gemm.bind(args.ex), task: args.ex.task.bind(args.ex), ctlByteOffset: args.ctlByteOffset, scratch: args.scratch[0]!,
    };
    this.workers = args.workers;
    this.threshold = args.threshold;
    this.spinMicros = args.spinMicros;
    this.threads = 1 + args.workers.length;
    this.name = this.threads > 1 ? `wasm-simd x${this.threads}` : args.shared ? 'wasm-simd' : 'wasm-simd (single-threaded build)';
    this.train = new WasmTrainOps(this, this.ex, this.threads);
  }

  /**
   * Loads the module, creates the shared memory and starts `threads - 1` workers.
   * Rejects when the .wasm or the worker script is missing, or the host lacks WebAssembly SIMD or threads.
   */
  static async create(opts: WasmKernelsOptions = {}): Promise<WasmKernels> {
    const api = wasmApi();
    if (!api) throw new Error('this JavaScript host has no WebAssembly');
    const shared = opts.sharedMemory ?? true;
    if (shared && (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object')) {
      throw new Error('this JavaScript host has no SharedArrayBuffer/Atomics (WebAssembly threads)');
    }
    const threads = opts.threads ?? (shared ? defaultThreads() : 1);
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
      throw new RangeError(`threads must be an integer from 1 to 64, got ${threads}`);
    }
    if (!shared && threads !== 1) throw new RangeError('the single-threaded build (no shared memory) runs on 1 thread');
    let name = opts.wasmPath ?? (shared ? 'inkling-kernels.wasm' : SINGLE_THREAD_WASM);
    let bytes = opts.bytes;
    if (!bytes) {
      const found = shared ? locateWasm(__dirname, opts.wasmPath) : locateWasm(__dirname, opts.wasmPath, SINGLE_THREAD_WASM);
      if (!found.path) {
        throw new Error(`${name} not found (looked at ${found.tried.join(', ')}); run scripts/build-wasm.mjs`);
      }
      name = found.path;
      bytes = new Uint8Array(await readFile(found.path));
    }
    let start = opts.startThread;
    if (threads > 1) {
      // The calling thread sleeps in Atomics.wait while kernel threads finish their chunks; a browser page's main
      // thread may not (there it throws): on such a thread, say so instead of failing in the first split gemm.
      try {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1);
      } catch (e) {
        throw new Error(`kernel threads need a calling thread that may block in Atomics.wait (a worker, not a page's main thread): ${String(e)}`, { cause: e });
      }
      if (!start) {
        const t = locateThreadScript(__dirname, opts.threadScript);
        if (!t.path) throw new Error(`kernel worker script not found (looked at ${t.tried.join(', ')})`);
        const script = t.path;
        start = (init, timeoutMs) => startWorker(script, init, timeoutMs);
      }
    }
    let module: WasmModule;
    try {
      module = await api.compile(bytes);
    } catch (e) {
      throw new Error(`cannot compile ${name} (does this host support WebAssembly SIMD${shared ? ' and threads' : ''}?): ${String(e)}`, { cause: e });
    }

    const maxBytes = Math.min(65536 * PAGE, Math.ceil((opts.maxMemoryBytes ?? (shared ? 2 ** 31 : 768 * 2 ** 20)) / PAGE) * PAGE);
    const memImport = api.Module.imports(module).find((i) => i.kind === 'memory');
    if (!memImport) throw new Error(`${name} does not import its memory; rebuild it with scripts/build-wasm.mjs`);
    let memory: WasmMemory;
    try {
      // Shared: 2 MiB to start (the module's own stack needs 64 KiB); the arena grows it as buffers are allocated.
      // Plain: all of it at once, never grown (growing a plain memory detaches every view of it).
      memory = shared
        ? new api.Memory({ initial: Math.min(32, maxBytes / PAGE), maximum: maxBytes / PAGE, shared: true })
        : new api.Memory({ initial: maxBytes / PAGE, maximum: maxBytes / PAGE });
    } catch (e) {
      throw new Error(`cannot create a ${shared ? 'shared ' : ''}WebAssembly.Memory of ${shared ? 'up to ' : ''}${maxBytes} bytes: ${String(e)}`, { cause: e });
    }
    const ex = instantiateKernels(api, module, memory);
    const scratchBytes = ex.gemm_scratch_bytes();
    const arena = new Arena(memory, ex.__heap_base.value, maxBytes);

    const scratch: number[] = [];
    const inits: ThreadInit[] = [];
    const spinMicros = opts.spinMicros ?? 300;
    const ctlOff = arena.allocBytes(CTL_INTS * 4);
    const ctl = new Int32Array(memory.buffer, ctlOff, CTL_INTS);
    ctl[CLAIM] = CLOSED_TAG << 16;
    scratch.push(arena.allocBytes(scratchBytes));
    for (let w = 1; w < threads; w++) {
      scratch.push(arena.allocBytes(scratchBytes));
      const stackTop = arena.allocBytes(STACK_BYTES) + STACK_BYTES;
      inits.push({
        memory, module, ctlByteOffset: ctlOff, scratch: scratch[w]!, stackTop, spinMicros,
        exitInChunk: w === 1 ? opts.exitThreadInChunk : undefined,
      });
    }

    const started = await Promise.allSettled(inits.map((init) => start!(init, opts.startTimeoutMs ?? 20000)));
    const workers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      for (const w of workers) w.terminate();
      throw failure.reason;
    }
    return new WasmKernels({
      arena, ex, scratch, ctl, ctlByteOffset: ctlOff, workers, threshold: opts.parallelThreshold ?? 1 << 17, spinMicros, scratchBytes,
      stallMs: opts.stallMs ?? 3000, shared,
    });
  }

  alloc(length: number): Float32Array {
    this.assertLive();
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`alloc: bad length ${length}`);
    const off = this.arena.allocBytes(length * 4);
    const v = this.arena.view(off, length);
    v.fill(0);
    return v;
  }

  free(buf: Float32Array): void {
    if (this.disposed) return;
    if (!this.arena.owns(buf.buffer)) throw new Error('free: buffer was not allocated by these wasm kernels');
    this.arena.freeBytes(buf.byteOffset);
  }

  quantize(w: Float32Array, k: number, n: number, ldw = n): QuantizedMatrix {
    this.assertLive();
    const { packed, scales } = packPanels(quantizeInt8(w, k, n, ldw));
    const wOff = this.arena.allocBytes(packed.length);
    const sOff = this.arena.allocBytes(scales.length * 4);
    const mem = this.arena.memory.buffer; // after the allocations, which may have grown the memory
    new Int8Array(mem, wOff, packed.length).set(packed);
    new Float32Array(mem, sOff, scales.length).set(scales);
    return new WasmQuantized(k, n, wOff, sOff, this);
  }

  requantize(q: QuantizedMatrix, w: Float32Array, ldw = q.n): void {
    this.assertLive();
    if (!(q instanceof WasmQuantized) || q.owner !== this) throw new Error('requantize: the matrix was not quantized by these kernels');
    const { packed, scales } = packPanels(quantizeInt8(w, q.k, q.n, ldw));
    const mem = this.arena.memory.buffer;
    new Int8Array(mem, q.wOff, packed.length).set(packed);
    new Float32Array(mem, q.sOff, scales.length).set(scales);
  }

  /** Single-threaded (batch-1 products are too small to split); x is quantized in the caller's scratch. */
  gemvQ(x: Float32Array, q: QuantizedMatrix, y: Float32Array, accumulate: boolean): void {
    this.assertLive();
    if (!(q instanceof WasmQuantized) || q.owner !== this) throw new Error('gemvQ: the matrix was not quantized by these kernels');
    checkGemvQArgs(x, q, y);
    if (2 * q.k + 16 > this.scratchBytes) throw new RangeError(`gemvQ: k = ${q.k} is too large for the scratch region`);
    this.ex.qgemv(q.k, q.n, q.wOff, q.sOff, this.ptr('x', x), this.ptr('y', y), accumulate ? 1 : 0, this.scratch[0]!);
  }

  lstmCell(H: number, gates: Float32Array, c: Float32Array, h: Float32Array): void {
    this.assertLive();
    if (!Number.isInteger(H) || H < 0 || gates.length < 4 * H || c.length < H || h.length < H) {
      throw new RangeError(`lstmCell: bad sizes (H = ${H}, gates ${gates.length}, c ${c.length}, h ${h.length})`);
    }
    this.ex.lstm_cell(H, this.ptr('gates', gates), this.ptr('c', c), this.ptr('h', h));
  }

  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    a: Float32Array, lda: number, b: Float32Array, ldb: number,
    c: Float32Array, ldc: number, accumulate: boolean,
  ): void {
    this.assertLive();
    checkGemmArgs(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
    const pa = this.ptr('a', a);
    const pb = this.ptr('b', b);
    const pc = this.ptr('c', c);
    if (m === 0 || n === 0) return;
    const tA = transA ? 1 : 0;
    const tB = transB ? 1 : 0;
    const acc = accumulate ? 1 : 0;
    const T = this.threads;
    if (T === 1 || m * n * k < this.threshold) {
      this.ex.gemm(tA, tB, m, n, k, pa, lda, pb, ldb, pc, ldc, acc, this.scratch[0]!);
      return;
    }
    // Split C into column blocks (each chunk re-packs all of op(A)) or row blocks (each re-packs op(B)) along
    // the longer side, so the duplicated packing is of the smaller operand; 3 chunks per thread balance load
    // when threads run at different speeds, at a few percent of extra packing.
    const byCols = n >= m;
    const dim = byCols ? n : m;
    const tile = byCols ? TILE_N : TILE_M;
    const chunk = Math.max(Math.ceil(dim / tile / (3 * T)) * tile, Math.ceil(dim / MAX_PARTS));
    const parts = Math.ceil(dim / chunk);
    const ctl = this.ctl;
    const args = [tA, tB, m, n, k, pa, lda, pb, ldb, pc, ldc, acc];
    for (let i = 0; i < args.length; i++) Atomics.store(ctl, ARGS + i, args[i]!);
    Atomics.store(ctl, BY_COLS, byCols ? 1 : 0);
    Atomics.store(ctl, CHUNK, chunk);
    this.runJob(OP_GEMM, parts);
  }

  /**
   * Runs `parts` chunks of train.c task `op` with arguments `args` (int32 values: sizes, byte addresses, float
   * bit patterns): split over the threads when `split`, else all on the calling thread.
   */
  runTask(op: number, parts: number, args: readonly number[], split: boolean): void {
    this.assertLive();
    if (args.length + 1 > MAX_ARGS) throw new RangeError(`task ${op}: too many arguments`);
    const ctl = this.ctl;
    // No job is open while the caller is here (each job is closed before its call returns), so the argument
    // slots are free; a worker waking late reads them but cannot claim a chunk of a closed job.
    Atomics.store(ctl, ARGS, op);
    for (let i = 0; i < args.length; i++) Atomics.store(ctl, ARGS + 1 + i, args[i]!);
    if (!split || this.threads === 1 || parts <= 1) {
      const at = this.ctlByteOffset + 4 * (ARGS + 1);
      const scratch = this.scratch[0]!;
      for (let idx = 0; idx < parts; idx++) this.ex.task(op, idx, at, scratch);
      return;
    }
    this.runJob(OP_TASK, parts);
  }

  /** Publishes the job whose arguments are in the control block, runs chunks here too, waits for the rest. */
  private runJob(op: number, parts: number): void {
    const ctl = this.ctl;
    const seq = (Atomics.load(ctl, SEQ) + 1) | 0;
    const tag = jobTag(seq);
    Atomics.store(ctl, PARTS, parts);
    Atomics.store(ctl, OP, op);
    Atomics.store(ctl, ERR, 0);
    Atomics.store(ctl, COMPLETED, 0);
    Atomics.store(ctl, CLAIM, tag << 16);
    Atomics.store(ctl, SEQ, seq);
    Atomics.notify(ctl, SEQ);
    let ranHere: number;
    try {
      ranHere = runChunks(ctl, tag, this.runner);
    } finally {
      // Close the job (normally every chunk is claimed by now; after an error here, the rest never will be),
      // then wait for the chunks other threads claimed, so that no worker writes C after we return.
      const cur = Atomics.exchange(ctl, CLAIM, CLOSED_TAG << 16);
      const claimed = cur >>> 16 === tag ? Math.min(cur & 0xffff, parts) : parts;
      let done = Atomics.load(ctl, COMPLETED);
      const spinUntil = performance.now() + this.spinMicros / 1000;
      // A thread that claimed a chunk and died never completes it, and its 'exit' event cannot arrive while this
      // thread blocks: so no progress for `stallMs` fails the gemm instead of waiting forever.
      let progressAt = performance.now();
      while (done < claimed) {
        const left = spinUntil - performance.now();
        const before = done;
        if (left > 0) {
          done = spinWhileEqual(ctl, COMPLETED, done, left * 1000);
        } else {
          Atomics.wait(ctl, COMPLETED, done, Math.min(250, this.stallMs));
          done = Atomics.load(ctl, COMPLETED);
        }
        const now = performance.now();
        if (done !== before) progressAt = now;
        else if (now - progressAt >= this.stallMs) {
          this.broken = `a kernel worker thread stopped in the middle of a job (${claimed - done} of ${parts} chunk(s) of a ` +
            `${op === OP_GEMM ? 'matrix product' : 'training task'} never finished within ${(this.stallMs / 1000).toFixed(1)} s): the thread died or hangs`;
          break;
        }
      }
    }
    if (this.broken) throw new Error(this.broken);
    this.chunksHere += ranHere;
    this.chunksTotal += parts;
    if (Atomics.load(ctl, ERR) !== 0) throw new Error(`${op === OP_GEMM ? 'gemm' : 'a training task'} failed in a kernel worker thread`);
  }

  /**
   * Fraction of the chunks of split gemms that the calling thread ran itself since creation (1 / threads when
   * the workers keep up; near 1 when the OS rarely schedules them).
   */
  callerShare(): number {
    return this.chunksTotal === 0 ? 0 : this.chunksHere / this.chunksTotal;
  }

  /** Memory statistics: bytes handed out by {@link alloc} and the current size of the shared memory. */
  memoryStats(): { liveBytes: number; memoryBytes: number } {
    return { liveBytes: this.arena.liveBytes, memoryBytes: this.arena.memoryBytes };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.workers.length > 0) {
      Atomics.store(this.ctl, OP, OP_EXIT);
      Atomics.store(this.ctl, SEQ, (Atomics.load(this.ctl, SEQ) + 1) | 0);
      Atomics.notify(this.ctl, SEQ);
    }
    for (const w of this.workers) w.terminate();
  }

  /** Byte address of `buf` in the wasm memory; throws if it is not a view of that memory. */
  ptr(name: string, buf: Float32Array | Int32Array): number {
    if (!this.arena.owns(buf.buffer)) {
      throw new Error(
        `gemm: ${name} is not a buffer from this kernel set's alloc() (the wasm kernels read operands in place from their own memory)`,
      );
    }
    return buf.byteOffset;
  }

  assertLive(): void {
    if (this.disposed) throw new Error('wasm kernels used after dispose()');
    if (this.broken) throw new Error(`the wasm kernels cannot go on: ${this.broken}`);
  }
}

/** A matrix quantized by {@link WasmKernels.quantize}: packed int8 weights and np scales in the wasm memory. */
class WasmQuantized implements QuantizedMatrix {
  constructor(
    readonly k: number, readonly n: number, readonly wOff: number, readonly sOff: number, readonly owner: WasmKernels,
  ) {}
}

function startWorker(script: string, init: ThreadInit, timeoutMs: number): Promise<KernelThread> {
  return new Promise((resolve, reject) => {
    const w = new Worker(script, { workerData: init });
    const timer = setTimeout(() => {
      void w.terminate();
      reject(new Error(`kernel worker ${script} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    const fail = (e: unknown): void => {
      clearTimeout(timer);
      reject(new Error(`kernel worker ${script} failed to start: ${String(e)}`));
    };
    w.once('error', fail);
    w.once('exit', (code) => fail(`exited with code ${code}`));
    w.once('message', (msg) => {
      clearTimeout(timer);
      if (msg !== 'ready') {
        void w.terminate();
        reject(new Error(`kernel worker ${script} sent ${JSON.stringify(msg)} instead of ready`));
        return;
      }
      w.removeAllListeners('exit');
      w.removeAllListeners('error');
      w.on('error', () => undefined);
      w.on('message', () => undefined);
      // The worker blocks in Atomics.wait between jobs; it must not keep the process alive.
      w.unref();
      resolve({ terminate: () => void w.terminate(), onExit: (f) => w.on('exit', (code) => f(`exited (code ${code})`)) });
    });
  });
}

/** Operation numbers of train.c's task(). */
const TASK = { LSTM_FWD: 1, LSTM_BWD: 2, RNN_FWD: 3, RNN_BWD: 4, SOFTMAX_CE: 5, COL_SUMS: 6, GATHER: 7, SUM_SQUARES: 8, ADAM: 9, PACK: 10, SCATTER: 11,
  GRU_FWD_A: 12, GRU_FWD_B: 13, GRU_BWD_A: 14, GRU_BWD_B: 15 } as const;
/** gemm.c's register tile width and k block (packed panels are laid out by them). */
const NR = 8;
const KC = 256;
/** Chunks per thread of a split task (more balance the load when a thread is descheduled; fewer repack less). */
const CHUNKS_PER_THREAD = 2;

const f32 = new Float32Array(1);
const f32i = new Int32Array(f32.buffer);
/** The bit pattern of `x` as a float32, as an int32 argument slot. */
function bits(x: number): number {
  f32[0] = x;
  return f32i[0]!;
}

/** {@link TrainOps} on train.c (see there for the split of each operation). */
class WasmTrainOps implements TrainOps {
  /** Per-chunk double-precision partial sums (loss, squares). */
  private readonly partial: Float32Array;
  private readonly partial64: Float64Array;
  /** The recurrent kernel of the layer being run, packed for gemm_pb (grown as needed). */
  private packed: Float32Array | null = null;

  constructor(private readonly k: WasmKernels, private readonly ex: GemmExports, private readonly threads: number) {
    this.partial = k.alloc(2 * 256);
    this.partial64 = new Float64Array(this.partial.buffer, this.partial.byteOffset, 256);
  }

  /**
   * Packs the recurrent kernel U [H, G] for the steps of one pass: forward, each gate's [H, H] column block
   * (as B); backward, Uᵀ [G, H]. Returns its byte address.
   */
  private packU(L: RecurrentLayer, G: number, transposed: boolean): number {
    const k = this.k;
    const H = L.H;
    const nTot = Math.ceil(H / NR) * NR;
    const need = G * nTot;
    if (!this.packed || this.packed.length < need) {
      if (this.packed) k.free(this.packed);
      this.packed = k.alloc(need);
    }
    const dst = k.ptr('packed', this.packed);
    const U = k.ptr('U', L.U);
    const pack = (transB: number, kk: number, b: number, to: number, count: number): void => {
      k.runTask(TASK.PACK, count * Math.ceil(kk / KC), [transB, kk, H, b, G, to, count, H], H * G >= 65536);
    };
    if (!transposed) {
      pack(0, H, U, dst, G / H); // each gate's [H, H] block
    } else if (L.cell === 'gru') {
      pack(1, 2 * H, U, dst, 1); // [U_z U_r]ᵀ, then U_hᵀ
      pack(1, H, U + 4 * 2 * H, dst + 4 * 2 * H * nTot, 1);
    } else {
      pack(1, G, U, dst, 1);
    }
    return dst;
  }

  /** Chunks for splitting `n` items in multiples of `align` (1 when single-threaded). */
  private chunking(n: number, align: number, parts = CHUNKS_PER_THREAD * this.threads): { per: number; parts: number } {
    const per = this.threads === 1 ? Math.max(n, 1) : Math.max(align, Math.ceil(n / parts / align) * align);
    return { per, parts: Math.max(1, Math.ceil(n / per)) };
  }

  gather(N: number, ids: Int32Array, table: Float32Array, E: number, out: Float32Array): void {
    const k = this.k;
    k.assertLive();
    check(ids.length >= N && out.length >= N * E, 'gather: buffers too small');
    for (let n = 0; n < N; n++) check(ids[n]! >= 0 && ids[n]! * E + E <= table.length, `gather: id ${ids[n]} out of range`);
    const { per, parts } = this.chunking(N, 1);
    this.k.runTask(TASK.GATHER, parts, [N, k.ptr('ids', ids), k.ptr('table', table), E, k.ptr('out', out), per], N * E >= 65536);
  }

  scatterAdd(N: number, ids: Int32Array, d: Float32Array, E: number, dTable: Float32Array, V: number): void {
    const k = this.k;
    k.assertLive();
    check(ids.length >= N && d.length >= N * E && dTable.length >= V * E, 'scatterAdd: buffers too small');
    for (let n = 0; n < N; n++) check(ids[n]! >= 0 && ids[n]! < V, `scatterAdd: id ${ids[n]} out of range`);
    const { per, parts } = this.chunking(E, 4);
    k.runTask(TASK.SCATTER, parts, [N, k.ptr('ids', ids), k.ptr('d', d), E, k.ptr('dTable', dTable), V, per], N * E >= 65536);
  }

  recurrentForward(L: RecurrentLayer, dropout: DropoutDraw | null): void {
    const k = this.k;
    k.assertLive();
    const { B, T, H } = L;
    const G = gatesOf(L.cell) * H;
    checkLayer(L, G);
    const { per, parts } = this.chunking(H, 8);
    const U = this.packU(L, G, false);
    const bias = k.ptr('bias', L.bias), gates = k.ptr('gates', L.gates), hs = k.ptr('hs', L.hs);
    const cs = L.cs ? k.ptr('cs', L.cs) : 0;
    const mask = L.mask ? k.ptr('mask', L.mask) : 0;
    const out = L.mask ? k.ptr('out', L.out) : 0;
    const keep24 = dropout ? keepThreshold(dropout.keep) : 1 << 24;
    const scale = bits(dropout ? 1 / dropout.keep : 1);
    const seed = dropout ? dropout.seed | 0 : 0;
    const state = 4 * B * H;
    if (L.cell === 'gru') {
      check(L.rh !== null && L.rh.length >= T * B * H, 'recurrent layer: GRU needs rh');
      const rh = k.ptr('rh', L.rh!);
      for (let t = 0; t < T; t++) {
        const args = [
          B, H, hs + t * state, U, gates + t * 4 * B * G, bias, rh + t * state, hs + (t + 1) * state, per,
          mask && mask + t * state, out && out + t * state, seed, keep24, scale, t * B * H,
        ];
        k.runTask(TASK.GRU_FWD_A, parts, args, true);
        k.runTask(TASK.GRU_FWD_B, parts, args, true);
      }
      return;
    }
    const op = L.cell === 'lstm' ? TASK.LSTM_FWD : TASK.RNN_FWD;
    for (let t = 0; t < T; t++) {
      k.runTask(op, parts, [
        B, H, hs + t * state, U, gates + t * 4 * B * G, bias, cs + t * state, cs + (t + 1) * state, hs + (t + 1) * state,
        per, mask && mask + t * state, out && out + t * state, seed, keep24, scale, t * B * H,
      ], true);
    }
  }

  recurrentBackward(L: RecurrentLayer, dOut: Float32Array, dz: Float32Array, work: RecurrentWork): void {
    const k = this.k;
    k.assertLive();
    const { B, T, H } = L;
    const G = gatesOf(L.cell) * H;
    checkLayer(L, G);
    check(dOut.length >= T * B * H && dz.length >= T * B * G && work.dhNext.length >= B * H && work.dc.length >= B * H,
      'recurrentBackward: buffers too small');
    const { per, parts } = this.chunking(H, 8);
    const U = this.packU(L, G, true);
    const gates = k.ptr('gates', L.gates), hs = k.ptr('hs', L.hs);
    const cs = L.cs ? k.ptr('cs', L.cs) : 0;
    const mask = L.mask ? k.ptr('mask', L.mask) : 0;
    const pOut = k.ptr('dOut', dOut), pdz = k.ptr('dz', dz), dhNext = k.ptr('dhNext', work.dhNext), dc = k.ptr('dc', work.dc);
    const lstm = L.cell === 'lstm';
    const state = 4 * B * H;
    const gateRows = 4 * B * G;
    if (L.cell === 'gru') {
      check(work.drh.length >= B * H, 'recurrentBackward: drh too small');
      const drh = k.ptr('drh', work.drh);
      const UhT = U + 4 * 2 * H * Math.ceil(H / NR) * NR;
      for (let t = T - 1; t >= 0; t--) {
        const args = [
          B, H, U, UhT, gates + t * gateRows, hs + t * state, pOut + t * state, mask && mask + t * state, dhNext, drh,
          pdz + t * gateRows, t === T - 1 ? 0 : pdz + (t + 1) * gateRows, per,
        ];
        k.runTask(TASK.GRU_BWD_A, parts, args, true);
        k.runTask(TASK.GRU_BWD_B, parts, args, true);
      }
      return;
    }
    for (let t = T - 1; t >= 0; t--) {
      k.runTask(lstm ? TASK.LSTM_BWD : TASK.RNN_BWD, parts, [
        B, H, U, lstm ? gates + t * gateRows : hs + (t + 1) * state, cs && cs + t * state, cs && cs + (t + 1) * state,
        pOut + t * state, mask && mask + t * state, dhNext, dc, pdz + t * gateRows, t === T - 1 ? 0 : pdz + (t + 1) * gateRows, per,
      ], true);
    }
  }

  softmaxCrossEntropy(N: number, V: number, logits: Float32Array, bias: Float32Array, targets: Int32Array, scale: number): number {
    const k = this.k;
    k.assertLive();
    check(logits.length >= N * V && bias.length >= V && targets.length >= N, 'softmaxCrossEntropy: buffers too small');
    for (let n = 0; n < N; n++) check(targets[n]! >= 0 && targets[n]! < V, `softmaxCrossEntropy: target ${targets[n]} out of range`);
    const { per, parts } = this.chunking(N, 1, Math.min(256, CHUNKS_PER_THREAD * this.threads));
    const p = this.partial64;
    k.runTask(TASK.SOFTMAX_CE, parts, [
      N, V, k.ptr('logits', logits), k.ptr('bias', bias), k.ptr('targets', targets), bits(scale), k.ptr('partial', this.partial), per,
    ], N * V >= 4096);
    let loss = 0;
    for (let i = 0; i < parts; i++) loss += p[i]!;
    return loss;
  }

  columnSums(rows: number, cols: number, m: Float32Array, out: Float32Array): void {
    const k = this.k;
    k.assertLive();
    check(m.length >= rows * cols && out.length >= cols, 'columnSums: buffers too small');
    const { per, parts } = this.chunking(cols, 8);
    k.runTask(TASK.COL_SUMS, parts, [rows, cols, k.ptr('m', m), cols, k.ptr('out', out), per], rows * cols >= 65536);
  }

  sumSquares(x: Float32Array): number {
    const k = this.k;
    k.assertLive();
    const { per, parts } = this.chunking(x.length, 1024, Math.min(256, CHUNKS_PER_THREAD * this.threads));
    k.runTask(TASK.SUM_SQUARES, parts, [k.ptr('x', x), x.length, per, k.ptr('partial', this.partial)], x.length >= 65536);
    let s = 0;
    for (let i = 0; i < parts; i++) s += this.partial64[i]!;
    return s;
  }

  adam(params: Float32Array, grads: Float32Array, m: Float32Array, v: Float32Array, h: AdamStep): void {
    const k = this.k;
    k.assertLive();
    const n = grads.length;
    check(params.length >= n && m.length >= n && v.length >= n, 'adam: buffers too small');
    const { per, parts } = this.chunking(n, 1024);
    k.runTask(TASK.ADAM, parts, [
      k.ptr('params', params), k.ptr('grads', grads), k.ptr('m', m), k.ptr('v', v), n, per,
      bits(h.beta1), bits(h.beta2), bits(h.stepSize), bits(h.epsHat), bits(h.gradScale),
    ], n >= 65536);
  }
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

function checkLayer(L: RecurrentLayer, G: number): void {
  const { B, T, H } = L;
  check(Number.isInteger(B) && Number.isInteger(T) && Number.isInteger(H) && B > 0 && T > 0 && H > 0, 'recurrent layer: bad sizes');
  check(L.U.length >= H * G && L.bias.length >= G && L.gates.length >= T * B * G && L.hs.length >= (T + 1) * B * H,
    'recurrent layer: buffers too small');
  check(L.cell !== 'lstm' || (L.cs !== null && L.cs.length >= (T + 1) * B * H), 'recurrent layer: LSTM needs cs');
  check(!L.mask || (L.mask.length >= T * B * H && L.out.length >= T * B * H), 'recurrent layer: mask/out too small');
}
