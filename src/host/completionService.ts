/** The completion worker as the host sees it: which model is loaded, and requests for suggestions and samples. */
import * as vscode from 'vscode';
import { CompletionClient } from './completionClient';
import { Emitter } from '../shared/disposable';
import type { CorpusRequest, CorpusSurvey, IndexInfo, ModelInfo, RehearsalInfo } from '../shared/protocol';

export class CompletionService implements vscode.Disposable {
  readonly client: CompletionClient;
  private info: ModelInfo | null = null;
  private indexInfo: IndexInfo | null = null;
  private readonly indexChanged = new Emitter<IndexInfo | null>();
  readonly onDidChangeIndex = this.indexChanged.event;
  private readonly changed = new Emitter<ModelInfo | null>();
  readonly onDidChangeModel = this.changed.event;
  private readonly rehearsed = new Emitter<RehearsalInfo | null>();
  /** The worker answered a rehearsal asked for at a save: what it did, or null (nothing to rehearse). */
  readonly onDidRehearse = this.rehearsed.event;

  constructor(workerScript: string | (() => import('../shared/platform').ComputeHandle)) {
    this.client = new CompletionClient(workerScript);
  }

  get model(): ModelInfo | null {
    return this.info;
  }

  /** The workspace n-gram model, once built. */
  get index(): IndexInfo | null {
    return this.indexInfo;
  }

  /** A model (the LSTM, or the n-gram model before training) can answer. */
  get canSuggest(): boolean {
    return this.info !== null || this.indexInfo !== null;
  }

  /**
   * Builds the workspace n-gram model in the worker (completions keep being answered meanwhile). Resolves
   * with its figures, or null when the folders have no usable text.
   */
  async buildIndex(roots: string[], corpus: CorpusRequest): Promise<IndexInfo | null> {
    const r = await this.client.request('index', { roots, corpus });
    if (r.type !== 'indexed') throw new Error(`unexpected reply ${r.type}`);
    this.indexInfo = r.index;
    this.indexChanged.fire(this.indexInfo);
    return this.indexInfo;
  }

  /** What training would read under these rules (the worker reads the files; nothing is trained). */
  async survey(roots: string[], corpus: CorpusRequest): Promise<CorpusSurvey> {
    const r = await this.client.request('survey', { roots, corpus });
    if (r.type !== 'surveyed') throw new Error(`unexpected reply ${r.type}`);
    return r.survey;
  }

  /** (Re)loads the model folder; on failure the previous model stays loaded and the error is thrown. */
  async load(dir: string): Promise<ModelInfo | null> {
    const r = await this.client.request('load', { modelDir: dir });
    if (r.type !== 'loaded') throw new Error(`unexpected reply ${r.type}`);
    this.info = r.model;
    this.changed.fire(this.info);
    return this.info;
  }

  async unload(): Promise<void> {
    await this.client.request('unload', {});
    this.info = null;
    this.changed.fire(null);
  }

  /**
   * Asks the worker to rehearse what the user wrote since the last rehearsal (a save; it also does at pauses).
   * Resolves with what it did, or null when there was nothing to do or the worker is gone.
   */
  async rehearse(): Promise<RehearsalInfo | null> {
    if (!this.info) return null;
    const r = await this.client.request('rehearse', {}).catch(() => null);
    const info = r?.type === 'rehearsed' ? r.rehearsal : null;
    this.rehearsed.fire(info);
    return info;
  }

  async sample(prompt: string, temperature: number, maxChars: number, seed: number): Promise<string> {
    const r = await this.client.request('sample', { prompt, temperature, maxChars, seed });
    return r.type === 'sample' ? r.text : '';
  }

  dispose(): void {
    this.client.dispose();
    this.changed.dispose();
    this.indexChanged.dispose();
    this.rehearsed.dispose();
  }
}
