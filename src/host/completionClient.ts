/**
 * The extension host's handle on the completion worker (vscode-free): request/response matched by id, with
 * cancellation (a stale answer is dropped) and termination on dispose.
 */
import type { IDisposable } from '../shared/disposable';
import type { ComputeHandle } from '../shared/platform';
import { nodeWorker } from './computeHandle';
import type { CompletionRequest, CompletionResponse } from '../shared/protocol';

type WithId = Extract<CompletionRequest, { id: number }>;
type Input<T extends WithId['type']> = Omit<Extract<WithId, { type: T }>, 'id'>;

export class CompletionClient implements IDisposable {
  private readonly worker: ComputeHandle;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: CompletionResponse) => void; reject: (e: Error) => void }>();
  private dead: Error | null = null;

  /** @param workerScript the Node worker's script, or a function that starts the compute side (src/web). */
  constructor(workerScript: string | (() => ComputeHandle)) {
    this.worker = typeof workerScript === 'string' ? nodeWorker(workerScript) : workerScript();
    this.worker.onMessage((m) => {
      const r = m as CompletionResponse;
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.type === 'error') p.reject(new Error(r.message));
      else p.resolve(r);
    });
    const die = (e: Error): void => {
      this.dead = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.worker.onError((e) => die(new Error(`the completion worker failed: ${e.message}`)));
    this.worker.onExit((code) => die(new Error(`the completion worker exited (code ${code})`)));
  }

  request<T extends WithId['type']>(type: T, body: Omit<Input<T>, 'type'>, signal?: { isCancellationRequested: boolean; onCancellationRequested?: (f: () => void) => IDisposable }): Promise<Extract<CompletionResponse, { id: number }>> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: CompletionResponse) => void, reject });
      this.worker.postMessage({ ...body, type, id } as CompletionRequest);
      signal?.onCancellationRequested?.(() => {
        // The worker still answers; the caller just stops waiting.
        if (this.pending.delete(id)) reject(new CancelledError());
      });
    });
  }

  /** An open document's text for the n-gram and match models (no answer). */
  observe(doc: string, text: string): void {
    if (!this.dead) this.worker.postMessage({ type: 'observe', doc, text } satisfies CompletionRequest);
  }

  forget(doc: string): void {
    if (!this.dead) this.worker.postMessage({ type: 'forget', doc } satisfies CompletionRequest);
  }

  dispose(): void {
    for (const p of this.pending.values()) p.reject(new CancelledError());
    this.pending.clear();
    this.worker.terminate();
  }
}

export class CancelledError extends Error {
  override name = 'CancelledError';
}
