/**
 * With `inkling.training.retrainOnSave`, saved workspace files fine-tune the model briefly once the user pauses.
 * Only paths are passed on: the worker reads them through the same rules as training (ignores, secrets, binaries).
 */
import path from 'node:path';
import { pathOf } from './paths';
import * as vscode from 'vscode';
import type { SettingsService } from './settings';
import type { TrainingController } from './training';

const QUIET_MS = 5000;

export class SaveWatcher implements vscode.Disposable {
  private readonly pending = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly sub: vscode.Disposable;

  constructor(private readonly settings: SettingsService, private readonly training: TrainingController) {
    this.sub = vscode.workspace.onDidSaveTextDocument((d) => this.saved(d));
  }

  private saved(d: vscode.TextDocument): void {
    if (!vscode.workspace.isTrusted) return;
    const folder = vscode.workspace.getWorkspaceFolder(d.uri);
    // The folder's own value: a multi-root workspace may fine-tune on saves in one folder and not in another.
    if (!folder || !this.settings.forFolder(folder).retrainOnSave) return;
    const root = pathOf(folder.uri);
    const file = pathOf(d.uri);
    if (root === undefined || file === undefined) return;
    const rel = path.relative(root, file).split(path.sep).join('/');
    if (!this.pending.has(root)) this.pending.set(root, new Set());
    this.pending.get(root)!.add(rel);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), QUIET_MS);
  }

  private flush(): void {
    if (this.training.busy) {
      this.timer = setTimeout(() => this.flush(), QUIET_MS);
      return;
    }
    const files = [...this.pending].map(([root, paths]) => ({ root, paths: [...paths] }));
    this.pending.clear();
    if (files.length) void this.training.finetune(files);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.sub.dispose();
  }
}
