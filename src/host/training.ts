/**
 * Runs training from the palette: a cancellable progress notification, the status bar, reloading the
 * completion model at each checkpoint, and the event stream the dashboard draws from.
 */
import * as vscode from 'vscode';
import type { TrainingClient } from './trainingClient';
import { Emitter } from '../shared/disposable';
import type { CorpusInfo, CorpusRequest, TrainingEvent } from '../shared/protocol';
import type { TrainProgress } from '../shared/progress';
import type { CompletionService } from './completionService';
import type { ModelStore } from './modelStore';
import type { Notifier } from './notifier';
import type { SettingsService } from './settings';
import type { StatusBar } from './statusBar';
import { folderPaths } from './paths';

export class TrainingController implements vscode.Disposable {
  private readonly events = new Emitter<TrainingEvent>();
  /** Every training event, for the dashboard. */
  readonly onEvent = this.events.event;
  lastCorpus: CorpusInfo | null = null;
  /** The saved files of the last fine-tune asked of the worker (by folder). */
  lastFinetune: { root: string; paths: string[] }[] | null = null;
  lastProgress: TrainProgress | null = null;
  kernels = '';
  /**
   * Training settings of this platform: in the browser, when training shares the extension host's thread, smaller
   * steps and validations so that the host serves completions between them (src/web).
   */
  trainDefaults: Partial<import('../shared/modelConfig').TrainConfig> = {};
  /** What differs on this platform (the browser: threads, speed), for the dashboard; empty on the desktop. */
  platformNote = '';
  private readonly sub;

  constructor(
    private readonly client: TrainingClient,
    private readonly completion: CompletionService,
    private readonly store: ModelStore,
    private readonly settings: SettingsService,
    private readonly status: StatusBar,
    private readonly notifier: Notifier,
  ) {
    this.sub = client.onEvent((e) => this.handle(e));
  }

  get busy(): boolean {
    return this.client.busy;
  }

  private handle(e: TrainingEvent): void {
    switch (e.type) {
      case 'started':
        this.kernels = e.kernels;
        this.notifier.log.info(`Training on ${e.kernels} kernels${e.kernelsNote ? ` (${e.kernelsNote})` : ''}`);
        break;
      case 'corpus':
        this.lastCorpus = e.corpus;
        this.notifier.log.info(e.corpus.report);
        break;
      case 'progress':
        this.lastProgress = e.progress;
        this.status.set({ kind: 'training', fraction: e.progress.fraction, valBits: e.progress.valBits, paused: e.progress.paused, background: this.background });
        break;
      case 'notice':
        this.notifier.log.info(e.message);
        break;
      case 'checkpoint':
        this.notifier.log.info(`Checkpoint: validation ${e.valBits.toFixed(3)} bits/char`);
        void this.completion.load(this.store.dir).catch((err: Error) => this.notifier.error(`could not load the new checkpoint: ${err.message}`));
        break;
      case 'done':
      case 'error':
        break;
    }
    this.events.fire(e);
  }

  /** The folders to train on, or why there are none (the user has been told, unless `quiet`). Nothing is read here. */
  private roots(quiet = false): string[] | 'no-folder' | 'restricted' {
    const folders = folderPaths();
    if (folders.length === 0) {
      if (!quiet) this.notifier.warn('open a folder to train on its files');
      return 'no-folder';
    }
    if (!vscode.workspace.isTrusted) {
      if (quiet) return 'restricted';
      this.notifier.warn('this workspace is in Restricted Mode: Inkling does not read it to train until you trust it (completions from an existing model still work)');
      return 'restricted';
    }
    return folders;
  }

  /** True while a background run (`inkling.training.whenIdle`, started by the idle trainer) is going on. */
  background = false;

  /**
   * Trains on the workspace (continuing the current model unless `fromScratch`). Resolves when the run ends.
   * `background`: a run started because the editor is idle: no notification (the status bar says it), at the
   * CPU share of `inkling.training.idleCpuShare`, and quiet when the folder cannot be trained on.
   */
  async train(fromScratch: boolean, opts: { background?: boolean } = {}): Promise<'done' | 'aborted' | 'error' | 'busy' | 'no-folder' | 'restricted'> {
    if (this.client.busy) {
      if (!opts.background) void vscode.window.showInformationMessage('Inkling is already training; use "Inkling: Stop Training" to stop it.');
      return 'busy';
    }
    const roots = this.roots(opts.background);
    if (typeof roots === 'string') return roots;
    await this.store.refresh();
    const s = this.settings.value;
    const job = this.client.run({
      type: 'train', roots, modelDir: this.store.dir, resume: !fromScratch && this.store.exists,
      corpus: this.corpusOptions(),
      model: { cell: s.cell, layers: s.layers, units: s.units },
      train: { ...this.trainDefaults, minutes: s.trainingMinutes, ...(opts.background ? { cpuShare: s.idleCpuShare } : {}) },
      kernels: s.kernels, confidence: s.confidence,
    });
    this.status.set({ kind: 'training', fraction: 0, background: opts.background });
    if (opts.background) {
      this.background = true;
      this.notifier.log.info(`Background training: the editor has been idle; continuing the model at a CPU share of ${Math.round(s.idleCpuShare * 100)}% (it pauses while you type)`);
      try {
        return await this.finish(await job, true);
      } finally {
        this.background = false;
      }
    }
    const result = await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification, title: 'Inkling: training on this workspace', cancellable: true,
    }, async (progress, token) => {
      token.onCancellationRequested(() => this.client.stop());
      let reported = 0;
      const sub = this.client.onEvent((e) => {
        if (e.type !== 'progress') return;
        const pct = Math.floor(e.progress.fraction * 100);
        const val = Number.isFinite(e.progress.valBits) ? `, validation ${e.progress.valBits.toFixed(2)} bits/char` : '';
        const paused = e.progress.paused ? ' (paused while you type)' : '';
        progress.report({ increment: Math.max(0, pct - reported), message: `${pct}%${val}${paused}` });
        reported = Math.max(reported, pct);
      });
      try {
        return await job;
      } finally {
        sub.dispose();
      }
    });
    if (result.type === 'error' && result.code === 'model-unreadable' && !this.disposed) return this.unreadable(result.message);
    return this.finish(result);
  }

  private corpusOptions(): CorpusRequest {
    const s = this.settings.value;
    return { include: s.include, exclude: s.exclude, maxTotalBytes: Math.round(s.maxCorpusMB * 1024 * 1024), folders: this.settings.folderGlobs() };
  }

  /**
   * The stored model cannot be loaded: say why, once, and let the user choose. Nothing is overwritten unless they
   * pick "Start Over" (then a new model is trained in its place).
   */
  private async unreadable(message: string): Promise<'done' | 'aborted' | 'error' | 'busy' | 'no-folder' | 'restricted'> {
    this.notifier.log.error(message);
    this.rest();
    const choice = await this.ask(`Inkling: ${message}. Keep it (nothing is changed) or start over with a new model in its place?`, 'Keep It', 'Start Over');
    if (choice === 'Start Over') return this.train(true);
    this.notifier.log.info('The stored model was kept as it is.');
    return 'error';
  }

  /** The question asked when the stored model cannot be loaded; tests answer it through {@link answer}. */
  answer: ((message: string, ...choices: string[]) => Promise<string | undefined>) | null = null;
  /** The questions asked so far (each once per occurrence), for diagnostics and the tests. */
  readonly questions: string[] = [];

  private async ask(message: string, ...choices: string[]): Promise<string | undefined> {
    this.questions.push(message);
    if (this.answer) return this.answer(message, ...choices);
    return vscode.window.showErrorMessage(message, ...choices);
  }

  /** Fine-tunes the model briefly on saved files (read through the corpus rules: ignores, secrets, binaries). */
  async finetune(files: { root: string; paths: string[] }[]): Promise<void> {
    if (this.client.busy || !(await this.store.refresh()) || !vscode.workspace.isTrusted) return;
    const s = this.settings.value;
    const roots = folderPaths();
    this.lastFinetune = files;
    const result = await this.client.run({
      type: 'finetune', files, modelDir: this.store.dir, maxSteps: 20, kernels: s.kernels,
      roots, corpus: this.corpusOptions(),
    });
    await this.finish(result);
  }

  /** Validates a model folder and makes it this workspace's model; the current one stays if it is invalid. */
  async import(from: string): Promise<boolean> {
    if (this.client.busy) {
      this.notifier.warn('stop training before importing a model');
      return false;
    }
    const roots = vscode.workspace.isTrusted ? folderPaths() : [];
    const result = await this.client.run({ type: 'import', from, modelDir: this.store.dir, roots, corpus: this.corpusOptions() });
    return (await this.finish(result)) === 'done';
  }

  stop(): void {
    this.client.stop();
  }

  /** The status bar's resting state (off, ready, untrained with or without the n-gram model), as at activation. */
  private rest(): void {
    this.status.showResting(this.settings.value.enable, this.completion.model, this.completion.index?.files);
  }

  /** `quiet` (a background run): why the stored model stayed goes to the output channel, not to a notification. */
  private async finish(result: Extract<TrainingEvent, { type: 'done' | 'error' }>, quiet = false): Promise<'done' | 'aborted' | 'error'> {
    // Shut down (window closed, extension disabled): the workers are gone and the best checkpoint is on disk.
    if (this.disposed) return result.type === 'error' ? 'error' : 'aborted';
    if (result.type === 'error') {
      this.notifier.error(result.message);
      this.rest();
      return 'error';
    }
    if (await this.store.refresh()) {
      try {
        await this.completion.load(this.store.dir);
      } catch (e) {
        this.notifier.error(`could not load the trained model: ${(e as Error).message}`);
      }
    }
    this.rest();
    // Said once, plainly: why the stored model stayed, or what is wrong with the new one.
    if (result.kept && quiet) this.notifier.log.info(`Background training: ${result.kept}`);
    else if (result.kept) this.notifier.warn(result.kept);
    if (result.warning && (result.stopReason === 'imported' || quiet)) this.notifier.log.info(result.warning);
    else if (result.warning) this.notifier.warn(result.warning);
    this.notifier.log.info(`Training ended: ${result.stopReason}`);
    return result.stopReason === 'aborted' ? 'aborted' : 'done';
  }

  private disposed = false;

  dispose(): void {
    this.disposed = true;
    this.sub.dispose();
    this.events.dispose();
  }
}
