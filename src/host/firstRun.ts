/**
 * The one-time offer to train: shown when a trusted workspace with folders has no model yet, saying what will be
 * read and for how long. "Not now" asks again next session; "Don't ask again" never does for this workspace.
 */
import { folderPaths } from './paths';
import * as vscode from 'vscode';
import { offerText } from '../shared/offer';
import type { CorpusSurvey } from '../shared/protocol';
import type { CompletionService } from './completionService';
import type { ModelStore } from './modelStore';
import type { SettingsService } from './settings';
import type { TrainingController } from './training';

const KEY = 'inkling.firstRunOfferDismissed';

export async function offerFirstTraining(
  memento: vscode.Memento, store: ModelStore, settings: SettingsService, training: TrainingController,
  completion?: CompletionService,
): Promise<void> {
  if (store.exists || memento.get<boolean>(KEY) || !vscode.workspace.isTrusted) return;
  const roots = folderPaths();
  if (roots.length === 0) return;
  const s = settings.value;
  // What training would read, by its own rules (read in the completion worker); without it, the general terms.
  const survey: CorpusSurvey | null = completion
    ? await completion.survey(roots, { include: s.include, exclude: s.exclude, maxTotalBytes: Math.round(s.maxCorpusMB * 1024 * 1024), folders: settings.folderGlobs() }).catch(() => null)
    : null;
  if (survey && survey.files === 0) return; // nothing to learn from
  const choice = await vscode.window.showInformationMessage(
    offerText(survey, s),
    'Train Now', 'Not Now', "Don't Ask Again",
  );
  if (choice === "Don't Ask Again") await memento.update(KEY, true);
  if (choice === 'Train Now') await training.train(false);
}
