/** Errors never nag: every message goes to the log, and each distinct one is shown to the user once. */
import * as vscode from 'vscode';

export class Notifier {
  private readonly shown = new Set<string>();
  /** Every message shown to the user, in order (each at most once); for diagnostics and the tests. */
  readonly shownMessages: string[] = [];

  constructor(readonly log: vscode.LogOutputChannel) {}

  error(message: string): void {
    this.log.error(message);
    if (this.shown.has(message)) return;
    this.shown.add(message);
    this.shownMessages.push(message);
    void vscode.window.showErrorMessage(`Inkling: ${message}`, 'Show Log').then((a) => { if (a) this.log.show(true); });
  }

  warn(message: string): void {
    this.log.warn(message);
    if (this.shown.has(message)) return;
    this.shown.add(message);
    this.shownMessages.push(message);
    void vscode.window.showWarningMessage(`Inkling: ${message}`);
  }
}
