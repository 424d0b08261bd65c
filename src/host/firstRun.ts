/**
 * The one-time offer to train: shown when a trusted workspace with folders has no model yet, saying what will be
 * read and for how long. "Not now" asks again next session; "Don't ask again" never does for this workspace.
 */
import * as vscode from 'vscode';
import type { ModelStore } from './modelStore';
import type { SettingsService } from './settings';
import type { TrainingController } from './training';

const KEY = 'inkling.firstRunOfferDismissed';

export async function offerFirstTraining(
  memento: vscode.Memento, store: ModelStore, settings: SettingsService, training: TrainingController,
): Promise<void> {
  if (store.exists || memento.get<boolean>(KEY) || !vscode.workspace.isTrusted) return;
  if (!vscode.workspace.workspaceFolders?.some((f) => f.uri.scheme === 'file')) return;
  const s = settings.value;
  const minutes = s.trainingMinutes;
  const choice = await vscode.window.showInformationMessage(
    `Inkling can learn from this workspace's text files to suggest completions, on this machine only. ` +
    `It reads up to ${s.maxCorpusMB} MB, skipping ignored, binary, generated and secret files, and trains for ` +
    `${minutes < 1 ? `${Math.round(minutes * 60)} seconds` : `${minutes} minutes`} in the background.`,
    'Train Now', 'Not Now', "Don't Ask Again",
  );
  if (choice === "Don't Ask Again") await memento.update(KEY, true);
  if (choice === 'Train Now') await training.train(false);
}
