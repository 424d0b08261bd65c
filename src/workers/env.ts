/**
 * What the compute side (the training and completion servers) gets from the platform that started it: on the
 * desktop nothing (Node's `fs`, worker threads, the threaded wasm build); in the browser (src/web) a PlatformFs over
 * `workspace.fs`, the wasm module's bytes and which build to use, and how a document Uri maps to a path.
 */
import { fileURLToPath } from 'node:url';
import type { PlatformFs } from '../shared/platform';
import type { TypingSignal } from '../shared/typing';
import type { ThreadStarter } from '../engine/kernels/wasm/wasmKernels';

export interface ComputeEnv {
  /** Where files are read and the model is stored. @default Node's file system */
  fs?: PlatformFs;
  /** How the kernels are made (see createKernels): the wasm bytes, the single-threaded build, threads. */
  kernels?: {
    wasmBytes?: Uint8Array; sharedMemory?: boolean; threads?: number;
    /**
     * Training only: the threaded build, tried first (a browser worker of a cross-origin isolated page, where shared
     * memory reaches workers; kernel threads started by `startThread`); the options above are the fallback.
     */
    threaded?: { wasmBytes: Uint8Array; threads: number; startThread: ThreadStarter };
  };
  /** The user's last keystroke (training pauses while they type). */
  typing?: TypingSignal | null;
  /** The path of an open document (for the corpus rules), from its Uri string. @default `file:` Uris only */
  docPath?: (doc: string) => string | undefined;
  /** What differs on this platform, said once when training starts (threads, speed). */
  note?: string;
}

/** The desktop's document paths: `file:` Uris. */
export function nodeDocPath(doc: string): string | undefined {
  try {
    return doc.startsWith('file:') ? fileURLToPath(doc) : undefined;
  } catch {
    return undefined;
  }
}
