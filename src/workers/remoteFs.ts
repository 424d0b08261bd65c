/**
 * The compute side's file system in a Web Worker: every call goes to the extension host, which answers with
 * `workspace.fs` (src/web/webWorker.ts). Messages are tagged `__inkling` so they never mix with the protocol's.
 */
import { FsError, type ComputePort, type PlatformFs } from '../shared/platform';

export type FsOp = 'stat' | 'readDirectory' | 'readFile' | 'writeFile' | 'createDirectory' | 'rename' | 'delete' | 'listFiles' | 'freeBytes';

/** Worker → host. */
export interface FsCall { __inkling: 'fs'; id: number; op: FsOp; args: unknown[] }
/** Host → training worker, where the typing signal's buffer cannot be shared: the user typed at `at`. */
export interface TypingMessage { __inkling: 'typing'; at: number }
/** Host → worker. */
export interface FsReply { __inkling: 'fs-reply'; id: number; ok: boolean; value?: unknown; code?: string; message?: string }

/** What the host sends first: the wasm bytes and how document Uris map to paths. */
export interface WorkerInit {
  __inkling: 'init';
  wasmBytes: Uint8Array;
  /** Workspace folders: Uri string → path. */
  folders: { uri: string; path: string }[];
  typing?: SharedArrayBuffer;
  note?: string;
  /**
   * The training worker, where the page is cross-origin isolated: the threaded build's bytes, the URL of the kernel
   * thread script (dist/web/kernelThread.js) and the threads to use, counting the worker's own.
   */
  threaded?: { wasmBytes: Uint8Array; threadScript: string; threads: number };
}

export function isTagged(m: unknown, tag: string): boolean {
  return typeof m === 'object' && m !== null && (m as { __inkling?: unknown }).__inkling === tag;
}

/** A {@link PlatformFs} whose calls the host answers over `port`; `handle` must see every incoming message. */
export function remoteFs(port: ComputePort): PlatformFs & { handle(m: unknown): boolean } {
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const call = <T>(op: FsOp, ...args: unknown[]): Promise<T> => new Promise((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    port.postMessage({ __inkling: 'fs', id, op, args } satisfies FsCall);
  });
  return {
    handle(m) {
      if (!isTagged(m, 'fs-reply')) return false;
      const r = m as FsReply;
      const p = pending.get(r.id);
      pending.delete(r.id);
      if (r.ok) p?.resolve(r.value);
      else p?.reject(new FsError(r.code ?? 'UNKNOWN', r.message ?? 'file system error'));
      return true;
    },
    stat: (p) => call('stat', p),
    readDirectory: (p) => call('readDirectory', p),
    readFile: (p) => call('readFile', p),
    writeFile: (p, d) => call('writeFile', p, d),
    createDirectory: (p) => call('createDirectory', p),
    rename: (a, b) => call('rename', a, b),
    delete: (p) => call('delete', p),
    listFiles: (root, max, skip) => call('listFiles', root, max, skip),
    freeBytes: (p) => call('freeBytes', p),
  };
}
