/**
 * The engine's compute kernels: WebAssembly SIMD (multi-threaded) when available, plain TypeScript otherwise.
 */
import { JsKernels } from './js';
import type { Kernels } from './types';
import { WasmKernels, defaultThreads, type ThreadStarter } from './wasm/wasmKernels';
import { TfKernels, type TfMatMul } from './tfjs';
import type { KernelChoice } from '../../shared/modelConfig';

export type { Kernels, QuantizedMatrix } from './types';
export { JsKernels } from './js';
export { WasmKernels, defaultThreads, type WasmKernelsOptions } from './wasm/wasmKernels';
export { webThreadStarter } from './wasm/webThreads';
export { TfKernels } from './tfjs';
export { KERNEL_CHOICES, type KernelChoice } from '../../shared/modelConfig';


/** Options of {@link createKernels}. */
export interface CreateKernelsOptions {
  /**
   * Which implementation to try first. `js` always succeeds. Batch-1 inference should keep the default: the
   * per-call cost of tfjs-node only pays off for training's large products. @default 'wasm'
   */
  prefer?: KernelChoice;
  /** Threads for the wasm kernels, counting the calling thread. @default min(number of cores, 4) */
  threads?: number;
  /** Path of inkling-kernels.wasm. @default looked up next to this module, then in the package's dist/ */
  wasmPath?: string;
  /** The module's bytes, in place of a file (the browser reads them from the extension's folder). */
  wasmBytes?: Uint8Array;
  /**
   * `false`: the single-threaded build on a plain (not shared) memory, where shared memory cannot reach workers
   * (a page that is not cross-origin isolated); `threads` is then 1. @default true
   */
  sharedMemory?: boolean;
  /** Size of the wasm memory (see WasmKernelsOptions.maxMemoryBytes): all of it at once for the single-threaded build. */
  maxMemoryBytes?: number;
  /** How kernel threads start (WasmKernelsOptions.startThread): the browser's Web Workers. @default Node's worker_threads */
  startThread?: ThreadStarter;
}

/**
 * Creates the fastest kernel set this host supports.
 *
 * With `prefer: 'wasm'` (the default) it loads the WebAssembly kernels; when that is impossible (the .wasm
 * was not built, or the host lacks WebAssembly SIMD or threads) it returns {@link JsKernels} and says why in
 * `fallbackReason`. When the worker threads cannot start it keeps the wasm kernels on one thread, also with
 * a `fallbackReason`. The caller owns the result and must `dispose()` it.
 */
export async function createKernels(
  opts: CreateKernelsOptions = {},
): Promise<{ kernels: Kernels; fallbackReason?: string }> {
  if (opts.prefer === 'js') return { kernels: new JsKernels() };
  if (opts.prefer === 'tfjs-node' || opts.prefer === 'auto') {
    const native = loadTfjsNode();
    if (typeof native !== 'string') return { kernels: new TfKernels(native, 'tfjs-node') };
    const rest = await createKernels({ ...opts, prefer: 'wasm' });
    // Asked for by name: say why it is not used. Under `auto` its absence is the normal case.
    return opts.prefer === 'tfjs-node' ? { ...rest, fallbackReason: `${native}; using ${rest.kernels.name}` } : rest;
  }
  const shared = opts.sharedMemory ?? true;
  const unsupported = wasmSupportProblem(shared);
  if (unsupported) return { kernels: new JsKernels(), fallbackReason: unsupported };
  const threads = shared ? opts.threads ?? defaultThreads() : 1;
  const source = { wasmPath: opts.wasmPath, bytes: opts.wasmBytes, sharedMemory: shared, maxMemoryBytes: opts.maxMemoryBytes, startThread: opts.startThread };
  try {
    return { kernels: await WasmKernels.create({ threads, ...source }) };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    if (threads > 1) {
      try {
        const kernels = await WasmKernels.create({ threads: 1, ...source });
        return { kernels, fallbackReason: `wasm kernels on 1 thread: ${reason}` };
      } catch {
        // Fall through to JS with the first reason, which names the real problem.
      }
    }
    return { kernels: new JsKernels(), fallbackReason: `JS kernels: ${reason}` };
  }
}

/** `@tensorflow/tfjs-node`'s API, or why it cannot be loaded. */
function loadTfjsNode(): TfMatMul | string {
  try {
    // Optional dependency: installed only where its native library could be downloaded.
    const tf = require('@tensorflow/tfjs-node') as TfMatMul & { env(): { set(k: string, v: boolean): void } };
    tf.env().set('PROD', true);
    return tf;
  } catch (e) {
    const missing = (e as { code?: string }).code === 'MODULE_NOT_FOUND';
    return missing ? 'tfjs-node is not installed (an optional dependency)' : `tfjs-node cannot be loaded: ${(e as Error).message}`;
  }
}

/**
 * Why the WebAssembly kernels cannot run on this host, or undefined if they can: they need WebAssembly with
 * SIMD, and (the threaded build, `shared`) SharedArrayBuffer and Atomics, and a shared WebAssembly.Memory.
 */
export function wasmSupportProblem(shared = true): string | undefined {
  const api = (globalThis as { WebAssembly?: { validate(b: Uint8Array): boolean; Memory: new (d: object) => object } })
    .WebAssembly;
  if (!api) return 'JS kernels: this host has no WebAssembly';
  if (!api.validate(SIMD_PROBE)) return 'JS kernels: this host has no WebAssembly SIMD';
  if (!shared) return undefined;
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    return 'JS kernels: this host has no SharedArrayBuffer/Atomics';
  }
  try {
    new api.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return 'JS kernels: this host cannot create a shared WebAssembly.Memory';
  }
  return undefined;
}

/** A module with one function `() -> v128` returning `v128.const 0`: valid only where SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, // code: v128.const
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x0b, // end
]);
