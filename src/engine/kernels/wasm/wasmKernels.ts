import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Kernels, QuantizedMatrix } from '../types';
import { checkGemmArgs } from '../checks';
import { checkGemvQArgs, packPanels, quantizeInt8 } from '../quantized';
import { Arena } from './arena';
import { locateThreadScript, locateWasm } from './locate';
import {
  ARGS, BY_COLS, CHUNK, CLAIM, CLOSED_TAG, COMPLETED, CTL_INTS, ERR, MAX_PARTS, OP, OP_EXIT, OP_GEMM, PARTS, SEQ,
  jobTag, runChunks, spinWhileEqual, type GemmFn, type ThreadInit,
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
}

/** Default thread count: the cores of this machine, at most 4 (the kernels are memory-bound beyond that). */
export function defaultThreads(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
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
  private readonly gemmFn: GemmFn;
  private chunksHere = 0;
  private chunksTotal = 0;
  private readonly workers: Worker[];
  private readonly threshold: number;
  private readonly spinMicros: number;
  private disposed = false;

  private constructor(args: {
    arena: Arena; ex: GemmExports; scratch: number[]; ctl: Int32Array; workers: Worker[];
    threshold: number; spinMicros: number; scratchBytes: number;
  }) {
    this.scratchBytes = args.scratchBytes;
    this.arena = args.arena;
    this.ex = args.ex;
    this.scratch = args.scratch;
    this.ctl = args.ctl;
    this.gemmFn = args.ex.gemm.bind(args.ex);
    this.workers = args.workers;
    this.threshold = args.threshold;
    this.spinMicros = args.spinMicros;
    this.threads = 1 + args.workers.length;
    this.name = this.threads > 1 ? `wasm-simd x${this.threads}` : 'wasm-simd';
  }

  /**
   * Loads the module, creates the shared memory and starts `threads - 1` workers.
   * Rejects when the .wasm or the worker script is missing, or the host lacks WebAssembly SIMD or threads.
   */
  static async create(opts: WasmKernelsOptions = {}): Promise<WasmKernels> {
    const api = wasmApi();
    if (!api) throw new Error('this JavaScript host has no WebAssembly');
    if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
      throw new Error('this JavaScript host has no SharedArrayBuffer/Atomics (WebAssembly threads)');
    }
    const threads = opts.threads ?? defaultThreads();
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
      throw new RangeError(`threads must be an integer from 1 to 64, got ${threads}`);
    }
    const found = locateWasm(__dirname, opts.wasmPath);
    if (!found.path) {
      throw new Error(`inkling-kernels.wasm not found (looked at ${found.tried.join(', ')}); run scripts/build-wasm.mjs`);
    }
    let script: string | undefined;
    if (threads > 1) {
      const t = locateThreadScript(__dirname, opts.threadScript);
      if (!t.path) throw new Error(`kernel worker script not found (looked at ${t.tried.join(', ')})`);
      script = t.path;
    }
    const bytes = new Uint8Array(await readFile(found.path));
    let module: WasmModule;
    try {
      module = await api.compile(bytes);
    } catch (e) {
      throw new Error(`cannot compile ${found.path} (does this host support WebAssembly SIMD and threads?): ${String(e)}`, { cause: e });
    }

    const maxBytes = Math.min(65536 * PAGE, Math.ceil((opts.maxMemoryBytes ?? 2 ** 31) / PAGE) * PAGE);
    const memImport = api.Module.imports(module).find((i) => i.kind === 'memory');
    if (!memImport) throw new Error(`${found.path} does not import its memory; rebuild it with scripts/build-wasm.mjs`);
    let memory: WasmMemory;
    try {
      // 2 MiB to start (the module's own stack needs 64 KiB); the arena grows it as buffers are allocated.
      memory = new api.Memory({ initial: Math.min(32, maxBytes / PAGE), maximum: maxBytes / PAGE, shared: true });
    } catch (e) {
      throw new Error(`cannot create a shared WebAssembly.Memory of up to ${maxBytes} bytes: ${String(e)}`, { cause: e });
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
      inits.push({ memory, module, ctlByteOffset: ctlOff, scratch: scratch[w]!, stackTop, spinMicros });
    }

    const started = await Promise.allSettled(inits.map((init) => startWorker(script!, init, opts.startTimeoutMs ?? 20000)));
    const workers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      for (const w of workers) void w.terminate();
      throw failure.reason;
    }
    return new WasmKernels({
      arena, ex, scratch, ctl, workers, threshold: opts.parallelThreshold ?? 1 << 17, spinMicros, scratchBytes,
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
    const seq = (Atomics.load(ctl, SEQ) + 1) | 0;
    const tag = jobTag(seq);
    const args = [tA, tB, m, n, k, pa, lda, pb, ldb, pc, ldc, acc];
    for (let i = 0; i < args.length; i++) Atomics.store(ctl, ARGS + i, args[i]!);
    Atomics.store(ctl, BY_COLS, byCols ? 1 : 0);
    Atomics.store(ctl, CHUNK, chunk);
    Atomics.store(ctl, PARTS, parts);
    Atomics.store(ctl, OP, OP_GEMM);
    Atomics.store(ctl, ERR, 0);
    Atomics.store(ctl, COMPLETED, 0);
    Atomics.store(ctl, CLAIM, tag << 16);
    Atomics.store(ctl, SEQ, seq);
    Atomics.notify(ctl, SEQ);
    let ranHere: number;
    try {
      ranHere = runChunks(ctl, tag, this.gemmFn, this.scratch[0]!);
    } finally {
      // Close the job (normally every chunk is claimed by now; after an error here, the rest never will be),
      // then wait for the chunks other threads claimed, so that no worker writes C after we return.
      const cur = Atomics.exchange(ctl, CLAIM, CLOSED_TAG << 16);
      const claimed = cur >>> 16 === tag ? Math.min(cur & 0xffff, parts) : parts;
      let done = Atomics.load(ctl, COMPLETED);
      const spinUntil = performance.now() + this.spinMicros / 1000;
      while (done < claimed) {
        const left = spinUntil - performance.now();
        if (left > 0) {
          done = spinWhileEqual(ctl, COMPLETED, done, left * 1000);
        } else {
          Atomics.wait(ctl, COMPLETED, done, 1000);
          done = Atomics.load(ctl, COMPLETED);
        }
      }
    }
    this.chunksHere += ranHere;
    this.chunksTotal += parts;
    if (Atomics.load(ctl, ERR) !== 0) throw new Error('gemm failed in a kernel worker thread');
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
    for (const w of this.workers) void w.terminate();
  }

  /** Byte address of `buf` in the wasm memory; throws if it is not a view of that memory. */
  private ptr(name: string, buf: Float32Array): number {
    if (!this.arena.owns(buf.buffer)) {
      throw new Error(
        `gemm: ${name} is not a buffer from this kernel set's alloc() (the wasm kernels read operands in place from their own memory)`,
      );
    }
    return buf.byteOffset;
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('wasm kernels used after dispose()');
  }
}

/** A matrix quantized by {@link WasmKernels.quantize}: packed int8 weights and np scales in the wasm memory. */
class WasmQuantized implements QuantizedMatrix {
  constructor(
    readonly k: number, readonly n: number, readonly wOff: number, readonly sOff: number, readonly owner: WasmKernels,
  ) {}
}

function startWorker(script: string, init: ThreadInit, timeoutMs: number): Promise<Worker> {
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
      resolve(w);
    });
  });
}
