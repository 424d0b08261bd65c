/**
 * The training dashboard as the extension sees it: records training runs from activation on, opens or reveals the
 * single panel, and restores it after a reload (registered as the `inkling.dashboard` panel serializer).
 */
import * as vscode from 'vscode';
import { Disposable } from '../shared/disposable';
import { DASHBOARD_VIEW_TYPE, promptFromState } from '../shared/dashboardProtocol';
import type { TrainingController } from '../host/training';
import { DashboardPanel, webviewOptions, type DashboardServices } from './panel';
import { RunRecorder } from './recorder';

export interface DashboardDeps extends Omit<DashboardServices, 'recorder' | 'busy'> {
  training: Pick<TrainingController, 'onEvent' | 'busy'>;
}

export class Dashboard extends Disposable implements vscode.WebviewPanelSerializer {
  private readonly services: DashboardServices;
  private current: DashboardPanel | undefined;

  constructor(deps: DashboardDeps) {
    super();
    const recorder = this._register(new RunRecorder(deps.training.onEvent));
    this.services = { ...deps, recorder, busy: () => deps.training.busy };
    this._register({ dispose: () => this.current?.dispose() });
  }

  /** Opens the dashboard, or reveals it if it is open. */
  show(): void {
    if (this.current) {
      this.current.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Inkling Training', vscode.ViewColumn.Active, webviewOptions(this.services.extensionUri));
    this.adopt(new DashboardPanel(panel, this.services));
  }

  /** Restores the panel after a window reload, with the prompt the page had saved. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    this.current?.dispose();
    this.adopt(new DashboardPanel(panel, this.services, promptFromState(state) ?? ''));
  }

  private adopt(p: DashboardPanel): void {
    this.current = p;
    p.onDidDispose(() => {
      if (this.current === p) this.current = undefined;
    });
  }
}
