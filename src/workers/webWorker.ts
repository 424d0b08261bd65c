/**
 * A compute server in a Web Worker (VS Code for the Web, where the host lets an extension start workers): the
 * worker's scope is the port; the first message is the host's {@link WorkerInit}; files go through the host
 * (remoteFs). Bundled by scripts/build.mjs as classic scripts (IIFE: VS Code loads nested workers with
 * importScripts) into dist/web/trainingWorker.js and dist/web/completionWorker.js.
 */
import type { ComputePort } from '../shared/platform';
import { TypingSignal } from '../shared/typing';
import type { ComputeEnv } from './env';
import { isTagged, remoteFs, type TypingMessage, type WorkerInit } from './remoteFs';
import { webThreadStarter } from '../engine/kernels';

interface WorkerScope {
  postMessage(m: unknown): void;
  addEventListener(type: 'message', f: (e: { data: unknown }) => void): void;
}

export function runInWebWorker(serve: (port: ComputePort, env: ComputeEnv) => void): void {
  const scope = globalThis as unknown as WorkerScope;
  const listeners: ((m: unknown) => void)[] = [];
  const port: ComputePort = { postMessage: (m) => scope.postMessage(m), onMessage: (f) => { listeners.push(f); } };
  const fs = remoteFs(port);
  let started = false;
  let typing: TypingSignal | null = null;
  scope.addEventListener('message', (e) => {
    const m = e.data;
    if (fs.handle(m)) return;
    if (isTagged(m, 'typing')) { typing?.touch((m as TypingMessage).at); return; }
    if (isTagged(m, 'init')) {
      if (started) return;
      started = true;
      const init = m as WorkerInit;
      const folders = [...init.folders].sort((a, b) => b.uri.length - a.uri.length);
      // The host's buffer where shared memory reaches this worker; else this worker's own, which the host's
      // `typing` messages keep up to date (between training steps).
      typing = new TypingSignal(init.typing);
      serve(port, {
        fs,
        kernels: {
          wasmBytes: init.wasmBytes, sharedMemory: false, threads: 1,
          // Shared memory reaches this worker's own workers only where the page is cross-origin isolated.
          threaded: init.threaded && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true
            ? { wasmBytes: init.threaded.wasmBytes, threads: init.threaded.threads, startThread: webThreadStarter(init.threaded.threadScript) }
            : undefined,
        },
        typing,
        docPath: (doc) => {
          const f = folders.find((x) => doc.startsWith(`${x.uri}/`));
          if (!f) return undefined;
          try {
            return `${f.path.replace(/\/+$/, '')}/${decodeURIComponent(doc.slice(f.uri.length + 1))}`;
          } catch {
            return undefined;
          }
        },
        note: init.note,
      });
      scope.postMessage({ __inkling: 'ready' });
      return;
    }
    for (const f of listeners) f(m);
  });
}
