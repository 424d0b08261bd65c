/**
 * The extension host's handle on the training worker (vscode-free): starts the worker on demand, relays its
 * events, stops it on request, and terminates it on dispose so no worker outlives the extension.
 */
import { Worker } from 'node:worker_threads';
import { Emitter, type IDisposable } from '../shared/disposable';
import type { TrainingEvent, TrainingRequest } from '../shared/protocol';

type Job = Exclude<TrainingRequest, { type: 'stop' }>;
type JobInput = Job extends infer J ? (J extends Job ? Omit<J, 'id'> : never) : never;

export class TrainingClient implements IDisposable {
  private worker: Worker | null = null;
  private nextId = 1;
  private running: { id: number; resolve: (e: TrainingEvent) => void } | null = null;
  private readonly onEventEmitter = new Emitter<TrainingEvent>();
  readonly onEvent = this.onEventEmitter.event;

  constructor(private readonly workerScript: string) {}

  get busy(): boolean {
    return this.running !== null;
  }

  /** Starts a job; resolves with its final `done` or `error` event. One job at a time. */
  run(job: JobInput): Promise<Extract<TrainingEvent, { type: 'done' | 'error' }>> {
    if (this.running) return Promise.reject(new Error('a training run is already in progress'));
    const id = this.nextId++;
    const worker = this.ensureWorker();
    return new Promise((resolve) => {
      this.running = { id, resolve: resolve as (e: TrainingEvent) => void };
      worker.postMessage({ ...job, id } as TrainingRequest);
    });
  }

  /** Asks the running job to stop; it ends with `done` (stopReason `aborted`) after saving its best checkpoint. */
  stop(): void {
    this.worker?.postMessage({ type: 'stop' } satisfies TrainingRequest);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerScript);
    worker.on('message', (e: TrainingEvent) => {
      this.onEventEmitter.fire(e);
      if ((e.type === 'done' || e.type === 'error') && this.running?.id === e.id) {
        const r = this.running;
        this.running = null;
        r.resolve(e);
      }
    });
    const fail = (message: string): void => {
      this.worker = null;
      const r = this.running;
      this.running = null;
      if (r) {
        const e: TrainingEvent = { type: 'error', id: r.id, message };
        this.onEventEmitter.fire(e);
        r.resolve(e);
      }
    };
    worker.on('error', (err) => fail(`the training worker failed: ${err.message}`));
    worker.on('exit', (code) => { if (this.worker === worker) fail(`the training worker exited (code ${code})`); });
    this.worker = worker;
    return worker;
  }

  dispose(): void {
    const w = this.worker;
    this.worker = null;
    this.running = null;
    void w?.terminate();
    this.onEventEmitter.dispose();
  }
}
