/** Where the workspace's model lives: the extension's workspace storage (global storage when no folder is open). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type * as vscode from 'vscode';

export class ModelStore {
  readonly dir: string;

  constructor(context: vscode.ExtensionContext) {
    const base = (context.storageUri ?? context.globalStorageUri).fsPath;
    this.dir = path.join(base, 'model');
  }

  get exists(): boolean {
    return existsSync(path.join(this.dir, 'inkling.json')) || existsSync(path.join(`${this.dir}.old`, 'inkling.json'));
  }
}
