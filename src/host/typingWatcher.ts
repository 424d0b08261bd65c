/**
 * Tells training that the user is typing, so it pauses (see shared/typing.ts): edits of the document in the active
 * editor count, other documents changing in the background (output channels, files other extensions rewrite) do
 * not. Each keystroke costs one atomic store into memory the training worker reads between steps.
 */
import * as vscode from 'vscode';
import type { SettingsService } from './settings';

/** Document schemes whose changes are never the user typing. */
const NOT_TYPING = new Set(['output', 'log', 'vscode-scm', 'git', 'debug']);

export class TypingWatcher implements vscode.Disposable {
  private readonly sub: vscode.Disposable;

  constructor(settings: SettingsService, onTyping: () => void) {
    this.sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0 || !settings.value.pauseTrainingWhileTyping) return;
      if (NOT_TYPING.has(e.document.uri.scheme) || vscode.window.activeTextEditor?.document !== e.document) return;
      onTyping();
    });
  }

  dispose(): void {
    this.sub.dispose();
  }
}
