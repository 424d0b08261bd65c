/**
 * Tells training that the user is typing, so it pauses (see shared/typing.ts): edits of the document in the active
 * editor count, other documents changing in the background (output channels, files other extensions rewrite) do
 * not. Each keystroke costs one atomic store into memory the training worker reads between steps.
 */
import * as vscode from 'vscode';
import { Emitter } from '../shared/disposable';
import type { SettingsService } from './settings';

/** Document schemes whose changes are never the user typing. */
const NOT_TYPING = new Set(['output', 'log', 'vscode-scm', 'git', 'debug']);

export class TypingWatcher implements vscode.Disposable {
  private readonly sub: vscode.Disposable;
  private readonly typed = new Emitter<void>();
  /** Every edit the user makes in the active editor, whatever `pauseWhileTyping` says (background training's idle clock). */
  readonly onDidType = this.typed.event;

  constructor(settings: SettingsService, onTyping: () => void) {
    this.sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0) return;
      if (NOT_TYPING.has(e.document.uri.scheme) || vscode.window.activeTextEditor?.document !== e.document) return;
      this.typed.fire();
      if (settings.value.pauseTrainingWhileTyping) onTyping();
    });
  }

  dispose(): void {
    this.sub.dispose();
    this.typed.dispose();
  }
}
