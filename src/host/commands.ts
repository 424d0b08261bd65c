/** Palette commands (category "Inkling"). Each is a small function over the services; registration is in extension.ts. */
import * as vscode from 'vscode';
import { pathOf, uriOf } from './paths';
import type { CompletionService } from './completionService';
import type { ModelStore } from './modelStore';
import type { Notifier } from './notifier';
import type { SettingsService } from './settings';
import type { TrainingController } from './training';

export const TEMPERATURE_PRESETS: { value: number; label: string; detail: string }[] = [
  { value: 0, label: 'Greedy', detail: 'Always the most likely next character: predictable, best for code.' },
  { value: 0.3, label: 'Focused', detail: 'Mostly the likely choice, with a little variety.' },
  { value: 0.7, label: 'Balanced', detail: 'Varied but plausible: good for prose.' },
  { value: 1.0, label: 'Model', detail: 'Samples the model\'s own distribution.' },
  { value: 1.4, label: 'Creative', detail: 'Surprising and often wrong: for play and brainstorming.' },
];

export async function setTemperature(settings: SettingsService, value?: number): Promise<void> {
  if (typeof value === 'number') {
    await settings.setTemperature(clampTemperature(value));
    return;
  }
  const current = settings.value.temperature;
  const items = [
    ...TEMPERATURE_PRESETS.map((p) => ({ label: `${p.value.toFixed(1)}  ${p.label}`, description: p.value === current ? '(current)' : '', detail: p.detail, value: p.value })),
    { label: 'Custom…', description: '', detail: 'Any value from 0 to 2.', value: Number.NaN },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Inkling: completion temperature', placeHolder: `Current: ${current}` });
  if (!pick) return;
  let t = pick.value;
  if (Number.isNaN(t)) {
    const input = await vscode.window.showInputBox({
      title: 'Inkling: completion temperature', value: String(current), prompt: '0 = greedy; 1 = the model\'s distribution; up to 2',
      validateInput: (s) => (/^\s*\d+(\.\d+)?\s*$/.test(s) && Number(s) <= 2 ? undefined : 'Enter a number from 0 to 2'),
    });
    if (input === undefined) return;
    t = Number(input);
  }
  await settings.setTemperature(clampTemperature(t));
}

function clampTemperature(t: number): number {
  return Math.min(2, Math.max(0, Number.isFinite(t) ? t : 0));
}

/** Copies the workspace model (TF.js files + inkling.json, without optimiser state) to a folder the user picks. */
export async function exportModel(store: ModelStore, notifier: Notifier, target?: string): Promise<string | undefined> {
  if (!(await store.refresh())) {
    notifier.warn('there is no trained model to export yet');
    return undefined;
  }
  let destUri = target ? uriOf(target) : undefined;
  if (!destUri) {
    destUri = await vscode.window.showSaveDialog({
      title: 'Export Inkling model (a folder TF.js loads as is)', saveLabel: 'Export',
      defaultUri: vscode.workspace.workspaceFolders?.[0] ? vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'inkling-model') : undefined,
    });
    if (!destUri) return undefined;
  }
  const dest = target ?? (destUri.scheme === 'file' ? destUri.fsPath : destUri.toString(true));
  // Through workspace.fs, so the same code exports on the desktop and in the browser (any file system VS Code has).
  await vscode.workspace.fs.createDirectory(destUri);
  const from = uriOf(store.dir);
  for (const f of ['model.json', 'weights.bin', 'inkling.json']) {
    await vscode.workspace.fs.copy(vscode.Uri.joinPath(from, f), vscode.Uri.joinPath(destUri, f), { overwrite: true });
  }
  notifier.log.info(`Exported the model to ${dest}`);
  if (!target) void vscode.window.showInformationMessage(`Inkling: model exported to ${dest}`);
  return dest;
}

export async function importModel(training: TrainingController, completion: CompletionService, target?: string): Promise<boolean> {
  let from = target;
  if (!from) {
    const uris = await vscode.window.showOpenDialog({ title: 'Import an Inkling model folder', canSelectFolders: true, canSelectFiles: false, openLabel: 'Import' });
    if (!uris?.[0]) return false;
    from = pathOf(uris[0]);
    if (from === undefined) {
      void vscode.window.showErrorMessage(`Inkling: ${uris[0].toString(true)} cannot be read here; pick a folder inside the workspace`);
      return false;
    }
  }
  const ok = await training.import(from);
  if (ok && !target) void vscode.window.showInformationMessage(`Inkling: imported ${from} (${completion.model?.parameters ?? 0} parameters)`);
  return ok;
}
