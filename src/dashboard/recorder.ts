/**
 * Records what the dashboard shows about training runs from the controller's event stream, from activation on, so
 * a dashboard opened (or restored) in the middle of a run still draws the whole curve. Keeps no unbounded history:
 * the curve is a {@link PointHistory}. Pure (the event source is passed in).
 */
import { Disposable, Emitter, type IDisposable } from '../shared/disposable';
import { MAX_CURVE_POINTS, type CurvePoint, type RunStatus } from '../shared/dashboardProtocol';
import type { CorpusInfo, TrainingEvent } from '../shared/protocol';
import type { TrainProgress } from '../shared/progress';
import { PointHistory } from '../shared/history';
import { toCurvePoint } from './state';

export type RecorderChange =
  /** A new training run: the curve starts again. */
  | { kind: 'reset' }
  | { kind: 'progress'; point: CurvePoint }
  /** Status, corpus or kernels changed. */
  | { kind: 'status' }
  | { kind: 'checkpoint'; valBits: number };

export class RunRecorder extends Disposable {
  readonly history = new PointHistory<CurvePoint>(MAX_CURVE_POINTS);
  run: RunStatus = 'idle';
  /** A sentence about the current or last run ('' before any). */
  message = '';
  kernels = '';
  corpus: CorpusInfo | null = null;
  progress: TrainProgress | null = null;
  /** Id of the training run the curve belongs to (fine-tunes on save are not plotted). */
  private runId: number | null = null;
  private readonly changed = this._register(new Emitter<RecorderChange>());
  readonly onDidChange = this.changed.event;

  constructor(onEvent: (listener: (e: TrainingEvent) => void) => IDisposable) {
    super();
    this._register(onEvent((e) => this.handle(e)));
  }

  handle(e: TrainingEvent): void {
    const ours = e.id === this.runId;
    switch (e.type) {
      case 'corpus':
        // Only full training runs read a corpus: this starts a new curve.
        this.runId = e.id;
        this.history.clear();
        this.progress = null;
        this.corpus = e.corpus;
        this.run = 'training';
        this.message = `Read ${e.corpus.files} files; preparing to train…`;
        this.changed.fire({ kind: 'reset' });
        this.changed.fire({ kind: 'status' });
        return;
      case 'started':
        this.kernels = e.kernels;
        if (ours) this.status('training', `Training on ${e.kernels} kernels${e.kernelsNote ? ` (${e.kernelsNote})` : ''}.`);
        return;
      case 'progress':
        if (!ours) {
          if (this.run !== 'training') this.status('training', 'Fine-tuning on saved files…');
          return;
        }
        this.progress = e.progress;
        if (this.run !== 'training') this.status('training', 'Training…');
        {
          const point = toCurvePoint(e.progress);
          this.history.push(point);
          this.changed.fire({ kind: 'progress', point });
        }
        return;
      case 'checkpoint':
        if (ours) {
          this.message = `Checkpoint saved: validation ${e.valBits.toFixed(2)} bits/char.`;
          this.changed.fire({ kind: 'checkpoint', valBits: e.valBits });
          this.changed.fire({ kind: 'status' });
        }
        return;
      case 'notice':
        if (ours) {
          this.message = `${e.message.charAt(0).toUpperCase()}${e.message.slice(1)}.`;
          this.changed.fire({ kind: 'status' });
        }
        return;
      case 'done': {
        // Why the stored model stayed, or a warning about the new one, said with the end of the run.
        const also = [e.kept, e.warning].filter((x): x is string => !!x).map((x) => ` ${x.charAt(0).toUpperCase()}${x.slice(1)}.`).join('');
        if (e.stopReason === 'imported') this.status('idle', `Imported a model.${also}`);
        else if (!ours) {
          if (e.stopReason !== 'nothing-to-learn') this.status('done', e.kept ? `Fine-tune on saved files not kept:${also}` : 'Fine-tuned on saved files.');
        }
        else if (e.stopReason === 'aborted') this.status('stopped', `Training stopped; the best checkpoint was kept.${also}`);
        else this.status('done', `${finishedText(e.stopReason)}${also}`);
        return;
      }
      case 'error':
        this.status('error', `Training failed: ${e.message}`);
        return;
    }
  }

  private status(run: RunStatus, message: string): void {
    this.run = run;
    this.message = message;
    this.changed.fire({ kind: 'status' });
  }
}

/** What the dashboard says when a run of its own ends normally. */
export function finishedText(stopReason: string): string {
  if (stopReason === 'budget') return 'Training finished: the time budget is used up.';
  if (stopReason === 'stalled') return 'Training stopped early: held-out text got worse twice in a row, so the best weights were kept.';
  return 'Training finished.';
}
