/**
 * Reads Inkling's settings from VS Code through the pure parser, warning once about each invalid value. One model
 * serves the whole window, so the settings of that model and its training run (budget, size, kernels, corpus cap)
 * are window-scoped; the ones about which files are read and when (`inkling.training.include` / `exclude` /
 * `retrainOnSave`) are resource-scoped, and each folder of a multi-root workspace is read with its own values.
 */
import { readableFolders } from './paths';
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

  /** The problems found in the current values (each was shown once as a warning). */
  problems: string[] = [];

  private read(): Settings {
    const cfg = vscode.workspace.getConfiguration('inkling', settingsScope());
    const { settings, problems } = parseSettings((name) => cfg.get(name));
    this.problems = problems;
    for (const p of problems) this.notifier.warn(`invalid setting: ${p}`);
    return settings;
  }

  /**
   * Each workspace folder's own training globs (`inkling.training.include` / `exclude` are resource-scoped: a
   * folder of a multi-root workspace may set its own), read with the folder as the resource.
   */
  folderGlobs(): { root: string; include: string[]; exclude: string[] }[] {
    return readableFolders().map(({ folder: f, path }) => {
      const settings = this.forFolder(f);
      return { root: path, include: settings.include, exclude: settings.exclude };
    });
  }

  /** The settings as `folder` sees them (its own values of the resource-scoped settings). */
  forFolder(folder: vscode.WorkspaceFolder): Settings {
    const cfg = vscode.workspace.getConfiguration('inkling', folder.uri);
    const { settings, problems } = parseSettings((name) => cfg.get(name));
    // The window-wide values were checked (and warned about) by read(); say only what this folder adds.
    for (const p of problems) if (!this.problems.includes(p)) this.notifier.warn(`invalid setting in ${folder.name}: ${p}`);
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
  // Unscoped: the settings written here (enable, temperature) are window-scoped, and with a folder scope VS Code
  // reports a single folder's settings as folder values, which it then refuses to write for such settings.
  const cfg = vscode.workspace.getConfiguration('inkling');
  const i = cfg.inspect(name);
  const target = i?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder
    : i?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  return cfg.update(name, value, target);
}

/** The scope resource-scoped settings are read in: the first workspace folder (none in an empty window). */
function settingsScope(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}
