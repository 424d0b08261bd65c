/** Where the workspace's model lives: the extension's workspace storage (global storage when no folder is open). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type * as vscode from 'vscode';

/** The browser's store (src/web): a path the compute side's PlatformFs maps onto the storage Uri, checked asynchronously. */
export interface WebStore {
  dir: string;
  exists(path: string): Promise<boolean>;
}

export class ModelStore {
  readonly dir: string;
  /** The browser's answer, as of the last {@link refresh}. */
  private known = false;

  constructor(context: vscode.ExtensionContext, private readonly web?: WebStore) {
    if (web) {
      this.dir = web.dir;
      return;
    }
    const base = (context.storageUri ?? context.globalStorageUri).fsPath;
    this.dir = path.join(base, 'model');
  }

  get exists(): boolean {
    if (this.web) return this.known;
    return existsSync(path.join(this.dir, 'inkling.json')) || existsSync(path.join(`${this.dir}.old`, 'inkling.json'));
  }

  /** Brings {@link exists} up to date where it cannot be checked synchronously (the browser's `workspace.fs`). */
  async refresh(): Promise<boolean> {
    if (this.web) {
      const web = this.web;
      this.known = (await web.exists(path.posix.join(this.dir, 'inkling.json'))) || (await web.exists(path.posix.join(`${this.dir}.old`, 'inkling.json')));
    }
    return this.exists;
  }
}
