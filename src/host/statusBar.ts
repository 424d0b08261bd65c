/** The status-bar item: untrained / training n% / ready / off. Clicking it opens the dashboard. */
import * as vscode from 'vscode';
import type { ModelInfo } from '../shared/protocol';

export type ModelState =
  | { kind: 'untrained' }
  | { kind: 'ngram'; files: number }
  | { kind: 'training'; fraction: number; valBits?: number; paused?: boolean; background?: boolean }
  | { kind: 'ready'; valBits: number | null; suggests?: { source: 'mixed' | 'ngram'; why: string }; unknownChars?: number | null }
  | { kind: 'off' }
  | { kind: 'error'; message: string };

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('inkling.status', vscode.StatusBarAlignment.Right, 100);
  state: ModelState = { kind: 'untrained' };

  constructor() {
    this.item.name = 'Inkling';
    this.item.command = 'inkling.showDashboard';
    this.set(this.state);
    this.item.show();
  }

  set(state: ModelState): void {
    this.state = state;
    switch (state.kind) {
      case 'untrained':
        this.item.text = '$(sparkle) Inkling: untrained';
        this.item.tooltip = 'No model for this workspace yet. Click for the dashboard, or run "Inkling: Train on Workspace".';
        break;
      case 'ngram':
        this.item.text = '$(sparkle) Inkling: untrained (n-gram)';
        this.item.tooltip = `No trained model yet: suggestions come from a quick n-gram model of the workspace (${state.files} files). ` +
          'Run "Inkling: Train on Workspace" for the LSTM.';
        break;
      case 'training':
        this.item.text = state.paused
          ? `$(debug-pause) Inkling: paused while you type (${Math.round(state.fraction * 100)}%)`
          : `$(sync~spin) Inkling: training${state.background ? ' (idle)' : ''} ${Math.round(state.fraction * 100)}%`;
        this.item.tooltip = (state.background ? 'Training in the background while the editor is idle (inkling.training.whenIdle)' : 'Training')
          + (state.valBits !== undefined && Number.isFinite(state.valBits) ? `; validation ${state.valBits.toFixed(2)} bits/char` : '')
          + (state.paused ? '. Paused while you type; it resumes when you stop for a moment.' : '');
        break;
      case 'ready': {
        this.item.text = state.suggests?.source === 'ngram' ? '$(sparkle) Inkling: ready (n-gram)' : '$(sparkle) Inkling: ready';
        const unknown = state.unknownChars ? ` (${state.unknownChars} held-out characters outside its vocabulary, counted apart)` : '';
        this.item.tooltip = (state.valBits !== null ? `Model ready; validation ${state.valBits.toFixed(2)} bits/char${unknown}` : 'Model ready') +
          (state.suggests ? `. Suggesting: ${state.suggests.why}.` : '');
        break;
      }
      case 'off':
        this.item.text = '$(circle-slash) Inkling: off';
        this.item.tooltip = 'Completions are off. Click for the dashboard; "Inkling: Toggle Completions" turns them on.';
        break;
      case 'error':
        this.item.text = '$(warning) Inkling: error';
        this.item.tooltip = state.message;
        break;
    }
  }

  /**
   * The resting state: off when completions are disabled, else ready (an LSTM is loaded), untrained with the
   * n-gram model answering, or untrained.
   */
  showResting(enabled: boolean, model: ModelInfo | null | undefined, ngramFiles?: number): void {
    if (!enabled) this.set({ kind: 'off' });
    else if (model) {
      // The n-gram/match model suggests alone only when it exists (it may be turned off).
      const suggests = model.suggests?.source === 'ngram' && ngramFiles === undefined ? undefined : model.suggests;
      this.set({ kind: 'ready', valBits: model.validationBitsPerChar, suggests, unknownChars: model.validationUnknownChars });
    }
    else if (ngramFiles !== undefined) this.set({ kind: 'ngram', files: ngramFiles });
    else this.set({ kind: 'untrained' });
  }

  dispose(): void {
    this.item.dispose();
  }
}
