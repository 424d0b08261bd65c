/** What happens once at activation: load the workspace's saved model, or offer to train when there is none. */
import type * as vscode from 'vscode';
import type { CompletionService } from './completionService';
import { offerFirstTraining } from './firstRun';
import type { ModelStore } from './modelStore';
import type { Notifier } from './notifier';
import type { SettingsService } from './settings';
import type { TrainingController } from './training';

export async function loadSavedModel(
  memento: vscode.Memento, store: ModelStore, completion: CompletionService, settings: SettingsService,
  training: TrainingController, notifier: Notifier,
): Promise<void> {
  notifier.log.info(`Model folder for this workspace: ${store.dir}`);
  if (!(await store.refresh())) {
    void offerFirstTraining(memento, store, settings, training, completion);
    return;
  }
  try {
    await completion.load(store.dir);
    notifier.log.info(`Loaded the workspace model from ${store.dir}`);
  } catch (e) {
    notifier.error(`the saved model could not be loaded (${(e as Error).message}); train again to replace it`);
  }
}
