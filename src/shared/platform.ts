/**
 * What the compute side (training, completion: `src/workers`, `src/corpus`, `src/engine`) needs from the platform it
 * runs on, as small interfaces with one implementation per host: Node (`node:fs`, worker threads) on the desktop
 * and in a remote, the browser (`vscode.workspace.fs`, Web Workers or the extension host worker itself) in VS Code
 * for the Web. Pure types and two tiny helpers: no Node, no DOM, no vscode.
 */

/** Kind of a directory entry, as the corpus rules see it. */
export type FsEntryKind = 'file' | 'dir' | 'symlink' | 'other';

/**
 * A file system over posix paths (`/a/b`). The browser's implementation maps them onto `vscode.Uri`s (workspace
 * folders, the extension's storage); errors carry a Node-style `code` (`ENOENT`, `ENOTDIR`, `EACCES`, ...).
 */
export interface PlatformFs {
  stat(path: string): Promise<{ kind: FsEntryKind; size: number }>;
  readDirectory(path: string): Promise<{ name: string; kind: FsEntryKind }[]>;
  readFile(path: string): Promise<Uint8Array>;
  /** Creates or replaces the file (its folder exists). */
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /** Creates the folder and its parents; no error when it exists. */
  createDirectory(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file or (recursively) a folder; no error when it is missing. */
  delete(path: string): Promise<void>;
  /**
   * Every file under `root` (posix paths relative to it) outside folders named in `skipDirs`, when the platform
   * has a fast listing (`findFiles`); undefined when it has none or it did not answer in time (the corpus then
   * walks the folders itself). The corpus applies all its rules to what is listed.
   */
  listFiles?(root: string, maxFiles: number, skipDirs: readonly string[]): Promise<string[] | undefined>;
  /**
   * Bytes that can still be written under `path`, where the platform has a quota it can tell (the browser's site
   * storage); undefined when unknown. Writes that run out of space fail with code `ENOSPC`.
   */
  freeBytes?(path: string): Promise<number | undefined>;
}

/** An error with a Node-style code, as {@link PlatformFs} implementations throw. */
export class FsError extends Error {
  override name = 'FsError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** The Node-style code of a file-system error (`UNKNOWN` when it has none). */
export function fsErrorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

type Timers = {
  setImmediate?: (f: () => void) => unknown;
  MessageChannel?: new () => { port1: { onmessage: ((e: unknown) => void) | null; close?(): void }; port2: { postMessage(m: unknown): void } };
  setTimeout: (f: () => void, ms: number) => unknown;
};

let channel: { post: () => void; queue: (() => void)[] } | null = null;

/**
 * Resolves in a new macrotask: after the messages and timers already queued have run. Node has `setImmediate`;
 * browsers and web workers get a `MessageChannel` (not clamped to 4 ms like a nested `setTimeout`).
 */
export function nextTurn(): Promise<void> {
  const g = globalThis as unknown as Timers;
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => { g.setImmediate!(resolve); });
  if (typeof g.MessageChannel === 'function') {
    if (!channel) {
      const mc = new g.MessageChannel();
      const queue: (() => void)[] = [];
      mc.port1.onmessage = () => queue.shift()?.();
      channel = { post: () => mc.port2.postMessage(0), queue };
    }
    const c = channel;
    return new Promise((resolve) => {
      c.queue.push(resolve);
      c.post();
    });
  }
  return new Promise((resolve) => { g.setTimeout(resolve, 0); });
}

/** The compute side's end of its channel to the extension host: a worker thread's port, a Web Worker's scope, or an in-process pair. */
export interface ComputePort {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** The host's handle on a compute side it started. */
export interface ComputeHandle extends ComputePort {
  onError(listener: (e: Error) => void): void;
  onExit(listener: (code: number) => void): void;
  terminate(): void;
}
