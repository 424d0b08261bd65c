/**
 * The compute side in a Web Worker, where the web extension host lets an extension start one (vscode.dev with the
 * extension from the marketplace; a VS Code server refuses workers of the extensions it serves: "Creating workers
 * from remote extensions is currently not supported"). The worker reads files through this side (it has no
 * `vscode` API): its `__inkling: 'fs'` calls are answered here with workspace.fs.
 */
import type { ComputeHandle } from '../shared/platform';
import type { FsCall, FsReply, WorkerInit } from '../workers/remoteFs';
import type { WorkspaceFs } from './workspaceFs';

interface WebWorker {
  postMessage(m: unknown): void;
  addEventListener(type: 'message', f: (e: { data: unknown }) => void): void;
  addEventListener(type: 'error', f: (e: { message?: string }) => void): void;
  terminate(): void;
}

const tagged = (m: unknown, tag: string): boolean => typeof m === 'object' && m !== null && (m as { __inkling?: unknown }).__inkling === tag;

/**
 * Starts the worker script at `url` and sends it `init`. Throws when the host does not allow workers; `ready`
 * resolves when the worker has started its server, and rejects on an error event before that.
 */
export function startWebWorker(url: string, fs: WorkspaceFs, init: WorkerInit): { handle: ComputeHandle; ready: Promise<void> } {
  const Ctor = (globalThis as unknown as { Worker?: new (url: string) => WebWorker }).Worker;
  if (!Ctor) throw new Error('this extension host has no Worker');
  const w = new Ctor(url);
  const listeners: ((m: unknown) => void)[] = [];
  const errors: ((e: Error) => void)[] = [];
  const exits: ((code: number) => void)[] = [];
  let readyResolve: () => void = () => undefined;
  let readyReject: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => { readyResolve = resolve; readyReject = reject; });
  let isReady = false;
  w.addEventListener('message', (e) => {
    const m = e.data;
    if (tagged(m, 'ready')) { isReady = true; readyResolve(); return; }
    if (tagged(m, 'fs')) { void answer(m as FsCall); return; }
    for (const f of listeners) f(m);
  });
  w.addEventListener('error', (e) => {
    const err = new Error(e.message ?? 'the worker failed');
    if (!isReady) readyReject(err);
    for (const f of errors) f(err);
  });
  async function answer(c: FsCall): Promise<void> {
    let reply: FsReply;
    try {
      const fn = fs[c.op] as (...a: unknown[]) => Promise<unknown>;
      reply = { __inkling: 'fs-reply', id: c.id, ok: true, value: await fn.apply(fs, c.args) };
    } catch (e) {
      reply = { __inkling: 'fs-reply', id: c.id, ok: false, code: (e as { code?: string }).code ?? 'UNKNOWN', message: (e as Error).message };
    }
    w.postMessage(reply);
  }
  w.postMessage(init);
  return {
    ready,
    handle: {
      postMessage: (m) => w.postMessage(m),
      onMessage: (f) => { listeners.push(f); },
      onError: (f) => { errors.push(f); },
      onExit: (f) => { exits.push(f); },
      terminate: () => { w.terminate(); for (const f of exits) f(0); },
    },
  };
}

/**
 * A handle whose implementation is decided later (whether workers can be started is learnt at activation):
 * messages wait for it, listeners are attached to it when it comes.
 */
export function deferredHandle(chosen: Promise<ComputeHandle>): ComputeHandle {
  let target: ComputeHandle | null = null;
  const queue: unknown[] = [];
  const pending: ((h: ComputeHandle) => void)[] = [];
  let terminated = false;
  void chosen.then((h) => {
    if (terminated) { h.terminate(); return; }
    target = h;
    for (const f of pending) f(h);
    for (const m of queue) h.postMessage(m);
    queue.length = 0;
  });
  const attach = (f: (h: ComputeHandle) => void): void => { if (target) f(target); else pending.push(f); };
  return {
    postMessage: (m) => { if (target) target.postMessage(m); else queue.push(m); },
    onMessage: (f) => attach((h) => h.onMessage(f)),
    onError: (f) => attach((h) => h.onError(f)),
    onExit: (f) => attach((h) => h.onExit(f)),
    terminate: () => { terminated = true; target?.terminate(); },
  };
}
