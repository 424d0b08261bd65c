/**
 * The small part of the WebAssembly JS API the kernels use, typed locally: the project compiles without the
 * DOM lib, and declaring the `WebAssembly` global here would clash with any other declaration of it.
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Grows by `pages` 64 KiB pages; returns the old size in pages. Throws a RangeError past the maximum. */
  grow(pages: number): number;
}

export interface WasmGlobal {
  value: number;
}

// A compiled module is opaque; it can be passed to worker_threads and instantiated there.
export type WasmModule = object & { readonly __wasmModule?: never };

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export interface WasmApi {
  Memory: new (desc: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: {
    new (bytes: Uint8Array): WasmModule;
    imports(module: WasmModule): { module: string; name: string; kind: string }[];
    exports(module: WasmModule): { name: string; kind: string }[];
  };
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Global: abstract new (...args: never[]) => WasmGlobal;
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModule>;
}

/** The host's WebAssembly API, or undefined when there is none. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
}

/** The exports of inkling-kernels.wasm (see gemm.c, qgemv.c, cells.c, train.c). Pointers are byte offsets into the shared memory. */
export interface GemmExports {
  gemm(
    transA: number, transB: number, m: number, n: number, k: number,
    a: number, lda: number, b: number, ldb: number, c: number, ldc: number,
    accumulate: number, scratch: number,
  ): void;
  gemm_scratch_bytes(): number;
  /** See qgemv.c: y[0:n] (+)= x[0:k] · W for int8 W packed in column panels with per-column scales. */
  qgemv(k: number, n: number, w: number, wscale: number, x: number, y: number, accumulate: number, scratch: number): void;
  qgemv_xq_limit(k: number): number;
  /** See cells.c: the element-wise LSTM step of one sequence. */
  lstm_cell(H: number, gates: number, c: number, h: number): void;
  /** See train.c: chunk `idx` of training operation `op`, arguments at byte address `args`. */
  task(op: number, idx: number, args: number, scratch: number): void;
  __heap_base: WasmGlobal;
  __stack_pointer?: WasmGlobal;
}

/** Instantiates the kernel module on `memory` and checks that it has the expected exports. */
export function instantiateKernels(api: WasmApi, module: WasmModule, memory: WasmMemory): GemmExports {
  const inst = new api.Instance(module, { env: { memory } });
  const e = inst.exports;
  if (typeof e.gemm !== 'function' || typeof e.gemm_scratch_bytes !== 'function' || typeof e.qgemv !== 'function'
    || typeof e.lstm_cell !== 'function' || typeof e.task !== 'function'
    || typeof e.__heap_base !== 'object') {
    throw new Error('inkling-kernels.wasm does not export gemm, gemm_scratch_bytes, qgemv, lstm_cell, task and __heap_base; rebuild it');
  }
  return e as unknown as GemmExports;
}
