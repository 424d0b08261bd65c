/** Reads Inkling's settings from VS Code through the pure parser, warning once about each invalid value. */
import * as vscode from 'vscode';
import { parseSettings, type Settings } from '../shared/settings';
import { Emitter } from '../shared/disposable';
import type { Notifier } from './notifier';

export class SettingsService implements vscode.Disposable {
  private current: Settings;
  private readonly changed = new Emitter<Settings>();
  readonly onDidChange = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly notifier: Notifier) {
    this.current = this.read();
    this.sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('inkling')) return;
      this.current = this.read();
      this.changed.fire(this.current);
    });
  }

  get value(): Settings {
    return this.current;
  }

  private read(): Settings {
    const cfg = vscode.workspace.getConfiguration('inkling');
    const { settings, problems } = parseSettings((name) => cfg.get(name));
    for (const p of problems) this.notifier.warn(p);
    return settings;
  }

  /** Writes the temperature (clamped by the parser on the next read). */
  setTemperature(t: number): Thenable<void> {
    return updateWhereDefined('completion.temperature', t);
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}

/**
 * Updates an `inkling.*` setting at the most specific level where it is already set (folder, workspace), else in
 * the user's settings, so the change takes effect instead of being shadowed.
 */
export function updateWhereDefined(name: string, value: unknown): Thenable<void> {
  const cfg = vscode.workspace.getConfiguration('inkling');
  const i = cfg.inspect(name);
  const target = i?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder
    : i?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  return cfg.update(name, value, target);
}
