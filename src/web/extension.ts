/**
 * The browser's entry (`browser` in package.json; VS Code for the Web, or the web worker extension host of a VS Code
 * server): the same services as the desktop (src/extension.ts, activateOn) on the browser's platform pieces:
 * files and the model through `workspace.fs` (src/web/fs.ts), the single-threaded WebAssembly SIMD build read from
 * the extension's folder, and the training and completion servers on the extension host worker itself,
 * time-sliced (src/web/inProcess.ts).
 */
import * as vscode from 'vscode';
import { activateOn, type InklingApi } from '../extension';
import { ModelStore } from '../host/modelStore';
import type { TrainConfig } from '../shared/modelConfig';
import { serveCompletion } from '../workers/completion';
import type { ComputeEnv } from '../workers/env';
import { serveTraining } from '../workers/training';
import { STORAGE_ROOT, WebPaths, WorkspaceFs } from './workspaceFs';
import { inProcess } from './inProcess';

/**
 * Training shares the thread that serves completions (and every other extension of the web host): a step of
 * 8 sequences × 64 characters and validations on 8,192 held-out characters keep each turn short.
 */
const IN_PROCESS_TRAINING: Partial<TrainConfig> = { batchSize: 8, validationChars: 8192 };

/** What differs here from the desktop, said once in the output channel and shown in the dashboard. */
export function webNote(isolated: boolean): string {
  return 'VS Code for the Web: training and completions run on the extension host worker itself, time-sliced '
    + '(one training step per turn, completion requests first; training steps are 8 sequences instead of 32); '
    + 'WebAssembly SIMD on one thread (the single-threaded build'
    + (isolated ? '; this page is cross-origin isolated, but threads need workers, which are not used here)' : ': this page is not cross-origin isolated, so no shared memory)')
    + ', so training is slower than on the desktop, which uses every core.';
}

export function activate(context: vscode.ExtensionContext): InklingApi {
  const storage = context.storageUri ?? context.globalStorageUri;
  const paths = new WebPaths(storage);
  const fs = new WorkspaceFs(paths);
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const note = webNote(isolated);
  const wasmUri = vscode.Uri.joinPath(context.extensionUri, 'dist', 'inkling-kernels-st.wasm');
  const env: Promise<ComputeEnv> = Promise.resolve(vscode.workspace.fs.readFile(wasmUri)).then(
    (bytes) => bytes,
    // Not built or not shipped: the kernels say "cannot compile" and the JS kernels take over, as without SIMD.
    () => new Uint8Array(0),
  ).then((wasmBytes) => ({
    fs,
    kernels: { wasmBytes, sharedMemory: false, threads: 1 },
    docPath: (doc: string) => {
      try {
        return paths.pathOf(vscode.Uri.parse(doc, true));
      } catch {
        return undefined;
      }
    },
    note: 'time-sliced on the extension host worker, single-threaded WebAssembly build',
  }));
  let resolved: ComputeEnv = {};
  const ready = env.then((e) => { resolved = e; });
  return activateOn(context, {
    store: new ModelStore(context, { dir: `${STORAGE_ROOT}/model`, exists: (p) => fs.stat(p).then(() => true, () => false) }),
    completion: () => inProcess((port) => serveCompletion(port, resolved), ready),
    training: (typing) => inProcess((port) => serveTraining(port, { ...resolved, typing }), ready, { type: 'stop' }),
    paths,
    trainDefaults: IN_PROCESS_TRAINING,
    note,
  });
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
