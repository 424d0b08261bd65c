/**
 * The extension host's handle on the training worker (vscode-free): starts the worker on demand, relays its
 * events, stops it on request, and terminates it on dispose so no worker outlives the extension.
 */
import { Emitter, type IDisposable } from '../shared/disposable';
import type { ComputeHandle } from '../shared/platform';
import { nodeWorker } from './computeHandle';
import type { TrainingEvent, TrainingRequest } from '../shared/protocol';
import { TypingSignal } from '../shared/typing';

type Job = Exclude<TrainingRequest, { type: 'stop' }>;
type JobInput = Job extends infer J ? (J extends Job ? Omit<J, 'id'> : never) : never;

export class TrainingClient implements IDisposable {
  private worker: ComputeHandle | null = null;
  private nextId = 1;
  private running: { id: number; resolve: (e: TrainingEvent) => void } | null = null;
  private readonly onEventEmitter = new Emitter<TrainingEvent>();
  readonly onEvent = this.onEventEmitter.event;
  /** The user's last keystroke, read by the worker between training steps (shared memory, no messages). */
  private readonly typing = new TypingSignal();
  private disposed = false;
  private exited: Promise<void> = Promise.resolve();

  /**
   * @param workerScript the Node worker's script, or a function that starts the compute side (the browser's Web
   *   Worker or in-process server, src/web) with the typing signal.
   */
  constructor(private readonly workerScript: string | ((typing: TypingSignal) => ComputeHandle)) {}

  /** The user just typed: training pauses until they have been quiet for a moment. One atomic store. */
  noteTyping(now = Date.now()): void {
    this.typing.touch(now);
  }

  /** Resolves once the current worker thread (if any) has exited; after dispose(), once no thread is left. */
  get workerExited(): Promise<void> {
    return this.exited;
  }

  get busy(): boolean {
    return this.running !== null;
  }

  /** Starts a job; resolves with its final `done` or `error` event. One job at a time. */
  run(job: JobInput): Promise<Extract<TrainingEvent, { type: 'done' | 'error' }>> {
    if (this.disposed) return Promise.reject(new Error('the training client was disposed'));
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

  private ensureWorker(): ComputeHandle {
    if (this.disposed) throw new Error('the training client was disposed');
    if (this.worker) return this.worker;
    const start = this.workerScript;
    const worker = typeof start === 'string' ? nodeWorker(start, { typing: this.typing.buffer }) : start(this.typing);
    this.exited = new Promise((resolve) => worker.onExit(() => resolve()));
    worker.onMessage((m) => {
      const e = m as TrainingEvent;
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
    worker.onError((err) => fail(`the training worker failed: ${err.message}`));
    worker.onExit((code) => { if (this.worker === worker) fail(`the training worker exited (code ${code})`); });
    this.worker = worker;
    return worker;
  }

  /**
   * Terminates the worker at once (its kernel threads go with it). The best checkpoint is already on disk: it is
   * written, atomically, whenever validation improves, so nothing saved is lost. A run in progress resolves as
   * aborted, so whoever awaits it is not left hanging.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const w = this.worker;
    this.worker = null;
    const r = this.running;
    this.running = null;
    w?.terminate();
    r?.resolve({ type: 'done', id: r.id, stopReason: 'aborted', progress: null, model: null });
    this.onEventEmitter.dispose();
  }
}
