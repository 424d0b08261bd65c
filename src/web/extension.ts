/**
 * The browser's entry (`browser` in package.json; VS Code for the Web, or the web worker extension host of a VS Code
 * server): the same services as the desktop (src/extension.ts, activateOn) on the browser's platform pieces:
 * files and the model through `workspace.fs` (src/web/workspaceFs.ts), the single-threaded WebAssembly SIMD build
 * read from the extension's folder (and the threaded one for the training worker where the page is cross-origin
 * isolated), and the training and completion servers in Web Workers where the host allows
 * them (src/web/webWorker.ts), else on the extension host worker itself, time-sliced (src/web/inProcess.ts).
 */
import * as vscode from 'vscode';
import { activateOn, type InklingApi } from '../extension';
import { ModelStore } from '../host/modelStore';
import type { TrainConfig } from '../shared/modelConfig';
import type { ComputeHandle } from '../shared/platform';
import { serveCompletion } from '../workers/completion';
import type { ComputeEnv } from '../workers/env';
import type { TypingMessage, WorkerInit } from '../workers/remoteFs';
import { serveTraining } from '../workers/training';
import { inProcess } from './inProcess';
import { deferredHandle, startWebWorker } from './webWorker';
import { STORAGE_ROOT, WebPaths, WorkspaceFs } from './workspaceFs';

/**
 * Training shares the thread that serves completions (and every other extension of the web host): a step of
 * 8 sequences × 64 characters and validations on 8,192 held-out characters keep each turn short.
 */
const IN_PROCESS_TRAINING: Partial<TrainConfig> = { batchSize: 8, validationChars: 8192 };

/** Threads of the training worker's kernels where the page is cross-origin isolated, counting the worker's own. */
const WEB_THREADS = Math.max(1, Math.min(4, (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2));

/** How long a first Web Worker may take to start before the compute side runs on this thread instead. */
const WORKER_START_TIMEOUT_MS = 20_000;

type Mode = { kind: 'workers'; probe: ComputeHandle } | { kind: 'in-process'; why: string };

/** What differs here from the desktop, said in the output channel and shown in the dashboard. */
export function webNote(mode: Mode, isolated: boolean): string {
  const threads = isolated
    ? mode.kind === 'workers'
      ? `training on the threaded WebAssembly SIMD build, ${WEB_THREADS} threads (this page is cross-origin isolated: kernel threads run in Web Workers), completions on the single-threaded build`
      : 'WebAssembly SIMD on one thread (the single-threaded build: this page is cross-origin isolated, but without Web Workers there are no kernel threads)'
    : 'WebAssembly SIMD on one thread (the single-threaded build: this page is not cross-origin isolated, so there is no shared memory for threads)';
  const where = mode.kind === 'workers'
    ? 'training and completions run in Web Workers'
    : `training and completions run on the extension host worker itself, time-sliced (one training step per turn, completion requests first; steps of 8 sequences instead of 32), because Web Workers cannot be started here (${mode.why})`;
  return `VS Code for the Web: ${where}; ${threads}; so training is slower than on the desktop, which uses every core.`;
}

export function activate(context: vscode.ExtensionContext): InklingApi {
  const storage = context.storageUri ?? context.globalStorageUri;
  const paths = new WebPaths(storage);
  // VS Code for the Web without a remote keeps extension storage in the browser (IndexedDB, under the site's quota).
  const fs = new WorkspaceFs(paths, storage.scheme === 'vscode-userdata' && vscode.env.remoteName === undefined);
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const dist = (...p: string[]) => vscode.Uri.joinPath(context.extensionUri, 'dist', ...p);
  const wasm: Promise<Uint8Array> = Promise.resolve(vscode.workspace.fs.readFile(dist('inkling-kernels-st.wasm'))).then(
    (bytes) => bytes,
    // Not built or not shipped: the kernels say "cannot compile" and the JS kernels take over, as without SIMD.
    () => new Uint8Array(0),
  );
  // The threaded build, for the training worker's kernel threads where shared memory reaches workers.
  const threadedWasm: Promise<Uint8Array | undefined> = isolated
    ? Promise.resolve(vscode.workspace.fs.readFile(dist('inkling-kernels.wasm'))).then((bytes) => bytes, () => undefined)
    : Promise.resolve(undefined);
  const docPath = (doc: string): string | undefined => {
    try {
      return paths.pathOf(vscode.Uri.parse(doc, true));
    } catch {
      return undefined;
    }
  };
  const init = (wasmBytes: Uint8Array, note: string): WorkerInit => ({
    __inkling: 'init', wasmBytes, note,
    folders: (vscode.workspace.workspaceFolders ?? []).flatMap((f) => {
      const p = paths.pathOf(f.uri);
      return p === undefined ? [] : [{ uri: f.uri.toString(), path: p }];
    }),
  });
  // Can this host start workers? The completion worker is the probe (and, when it starts, stays the worker).
  const mode: Promise<Mode> = wasm.then(async (bytes) => {
    try {
      const started = startWebWorker(dist('web', 'completionWorker.js').toString(true), fs, init(bytes, 'Web Worker, single-threaded WebAssembly build'));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${WORKER_START_TIMEOUT_MS / 1000} s`)), WORKER_START_TIMEOUT_MS); });
      try {
        await Promise.race([started.ready, timeout]);
      } catch (e) {
        started.handle.terminate();
        throw e;
      } finally {
        clearTimeout(timer);
      }
      return { kind: 'workers', probe: started.handle };
    } catch (e) {
      return { kind: 'in-process', why: (e as Error).message };
    }
  });
  const env = (bytes: Uint8Array): ComputeEnv => ({
    fs, kernels: { wasmBytes: bytes, sharedMemory: false, threads: 1 }, docPath,
    note: 'time-sliced on the extension host worker, single-threaded WebAssembly build',
  });
  let probeUsed = false;
  const both = Promise.all([mode, wasm, threadedWasm]);
  const api = activateOn(context, (log) => {
    void mode.then((m) => log.info(webNote(m, isolated)));
    return {
      store: new ModelStore(context, { dir: `${STORAGE_ROOT}/model`, exists: (p) => fs.stat(p).then(() => true, () => false) }),
      completion: () => deferredHandle(both.then(([m, bytes]) => {
        if (m.kind === 'workers' && !probeUsed) {
          probeUsed = true;
          return m.probe;
        }
        if (m.kind === 'workers') return startWebWorker(dist('web', 'completionWorker.js').toString(true), fs, init(bytes, '')).handle;
        return inProcess((port) => serveCompletion(port, env(bytes)), Promise.resolve());
      })),
      training: (typing) => deferredHandle(both.then(([m, bytes, threadedBytes]) => {
        if (m.kind === 'workers') {
          const shared = typeof SharedArrayBuffer === 'function' && typing.buffer instanceof SharedArrayBuffer ? typing.buffer : undefined;
          const threaded = threadedBytes && threadedBytes.length > 0 && WEB_THREADS > 1
            ? { wasmBytes: threadedBytes, threadScript: dist('web', 'kernelThread.js').toString(true), threads: WEB_THREADS }
            : undefined;
          const { handle } = startWebWorker(dist('web', 'trainingWorker.js').toString(true), fs, { ...init(bytes, 'Web Worker, single-threaded WebAssembly build'), typing: shared, threaded });
          // Without shared memory the worker cannot read the keystroke times: each one is sent (training pauses while
          // the user types, as on the desktop).
          if (!shared) typing.relayTo((at) => handle.postMessage({ __inkling: 'typing', at } satisfies TypingMessage));
          return handle;
        }
        return inProcess((port) => serveTraining(port, { ...env(bytes), typing }), Promise.resolve(), { type: 'stop' });
      })),
      paths,
    };
  });
  void mode.then((m) => {
    api.training.platformNote = webNote(m, isolated);
    api.training.trainDefaults = m.kind === 'in-process' ? IN_PROCESS_TRAINING : {};
  });
  return api;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
