/**
 * Keeps the completion worker's n-gram and match models of the workspace current: built at activation, when the
 * workspace is trusted or its folders change, after each training run, and when the settings that choose what they
 * read change (`inkling.completion.ngram` off drops them).
 * It reads the files through the same rules as training (ignores, secrets, size caps), never in Restricted Mode.
 */
import { folderPaths } from './paths';
import * as vscode from 'vscode';
import type { CompletionService } from './completionService';
import type { Notifier } from './notifier';
import type { SettingsService } from './settings';

import { NGRAM_MAX_MB } from '../shared/settings';

export { NGRAM_MAX_MB };

export class WorkspaceIndexer implements vscode.Disposable {
  private readonly subs: vscode.Disposable[] = [];
  private running: Promise<void> = Promise.resolve();
  /** {@link inputs} as of the last rebuild asked for (each build reads the settings current when it runs). */
  private wanted: string;

  constructor(
    private readonly completion: CompletionService,
    private readonly settings: SettingsService,
    private readonly notifier: Notifier,
  ) {
    this.wanted = this.inputs(); // the first build is asked for by the composition root, once the model is loaded
    this.subs.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.rebuild()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rebuild()),
      // Only the settings that decide what the models read; other changes (temperature, …) cost nothing.
      settings.onDidChange(() => {
        const now = this.inputs();
        if (now === this.wanted) return;
        this.wanted = now;
        void this.rebuild();
      }),
    );
  }

  /** Queues a rebuild (runs after any rebuild in progress); resolves when it is done. */
  rebuild(): Promise<void> {
    this.running = this.running.then(() => this.build()).catch((e: Error) => {
      this.notifier.log.warn(`The workspace n-gram model could not be built: ${e.message}`);
    });
    return this.running;
  }

  private inputs(): string {
    const s = this.settings.value;
    return JSON.stringify([s.ngram, s.include, s.exclude, s.maxCorpusMB, this.settings.folderGlobs()]);
  }

  private async build(): Promise<void> {
    const s = this.settings.value;
    const roots = s.ngram && vscode.workspace.isTrusted
      ? folderPaths()
      : [];
    const info = await this.completion.buildIndex(roots, {
      include: s.include, exclude: s.exclude, maxTotalBytes: Math.min(s.maxCorpusMB, NGRAM_MAX_MB) * 2 ** 20,
      folders: this.settings.folderGlobs(),
    });
    if (info) {
      this.notifier.log.info(`Workspace n-gram model: ${info.files} files, ${info.chars} characters, ${info.contexts} contexts (${info.megabytes} MB), built in ${info.seconds} s${info.fromSurvey ? ' (from the files the first-run offer had just read)' : ''}`);
    }
  }

  dispose(): void {
    for (const d of this.subs) d.dispose();
  }
}
