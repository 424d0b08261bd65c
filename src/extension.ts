// Composition root: builds the services and registers them. Placeholder until the extension issue lands.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Inkling', { log: true });
  context.subscriptions.push(log);
  log.info('Inkling activated');
}

export function deactivate(): void {
  // Nothing to release yet: every registration is in context.subscriptions.
}
