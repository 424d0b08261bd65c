/**
 * One dashboard webview panel: sets its HTML (fresh nonce per load), answers the webview's `ready` with `init`,
 * validates every message it sends, runs the commands it asks for, and forwards training progress (throttled to at
 * most 10 messages a second), state changes and samples. Owns nothing that outlives the panel.
 */
import * as vscode from 'vscode';
import { Disposable } from '../shared/disposable';
import {
  parseWebviewMessage, type DashboardState, type HostMessage, type CurvePoint, type SampleView, type WebviewMessage,
} from '../shared/dashboardProtocol';
import type { CompletionService } from '../host/completionService';
import type { SettingsService } from '../host/settings';
import type { AcceptanceTracker } from '../host/acceptance';
import { createNonce, dashboardHtml } from './html';
import type { RunRecorder } from './recorder';
import { SampleScheduler } from './samples';
import { buildState, toProgressView } from './state';
import { Throttle } from './throttle';
import { pathOf } from '../host/paths';

export interface DashboardServices {
  extensionUri: vscode.Uri;
  recorder: RunRecorder;
  /** Whether a training job (train, fine-tune or import) is running. */
  busy: () => boolean;
  completion: Pick<CompletionService, 'model' | 'onDidChangeModel' | 'sample'>;
  settings: Pick<SettingsService, 'value' | 'onDidChange' | 'setTemperature'>;
  acceptance: Pick<AcceptanceTracker, 'value' | 'onDidChange'>;
  /** What differs on this platform (the browser: threads, speed); empty on the desktop. */
  platformNote?: () => string;
}

/** At most 10 progress messages a second. */
const PROGRESS_INTERVAL_MS = 100;
/** New samples while training, every this many milliseconds (the panel must be visible). */
const SAMPLE_EVERY_MS = 10_000;
const SAMPLE_CHARS = 240;

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] };
}

export class DashboardPanel extends Disposable {
  private ready = false;
  private prompt: string;
  private lastSample: SampleView | null = null;
  private lastBusy: boolean;
  private lastTemperature: number;
  private pendingPoints: CurvePoint[] = [];
  private stateQueued = false;
  private readonly progress: Throttle<void>;
  private readonly samples: SampleScheduler;
  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this._onDidDispose.event;

  constructor(readonly panel: vscode.WebviewPanel, private readonly s: DashboardServices, prompt = '') {
    super();
    this.prompt = prompt;
    this.lastBusy = s.busy();
    this.lastTemperature = s.settings.value.temperature;
    this.progress = this._register(new Throttle<void>(PROGRESS_INTERVAL_MS, () => this.postProgress()));
    this.samples = this._register(new SampleScheduler((r) => this.generate(r), () => ({ prompt: this.prompt, temperature: s.settings.value.temperature }), (v) => {
      this.lastSample = v;
      this.post({ type: 'sample', sample: v });
    }));

    this._register({ dispose: () => panel.dispose() });
    panel.webview.options = webviewOptions(s.extensionUri);
    panel.iconPath = {
      light: vscode.Uri.joinPath(s.extensionUri, 'media', 'dashboard-light.svg'),
      dark: vscode.Uri.joinPath(s.extensionUri, 'media', 'dashboard-dark.svg'),
    };
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => {
      const m = parseWebviewMessage(raw);
      if (m) this.onMessage(m); // anything else is ignored
    }));
    this._register(panel.onDidChangeViewState(() => {
      // A hidden panel's page is discarded (no retainContextWhenHidden); it sends `ready` again when shown.
      if (!panel.visible) this.ready = false;
    }));
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(s.recorder.onDidChange((c) => {
      switch (c.kind) {
        case 'reset':
          this.progress.cancel();
          this.pendingPoints = [];
          this.post({ type: 'reset' });
          break;
        case 'progress':
          this.pendingPoints.push(c.point);
          this.progress.push();
          break;
        case 'status':
        case 'checkpoint':
          this.progress.flush();
          this.queueState();
          break;
      }
    }));
    this._register(s.completion.onDidChangeModel(() => {
      this.queueState();
      this.samples.request(false); // same seed: shows what the new weights changed
    }));
    this._register(s.settings.onDidChange((v) => {
      this.queueState();
      if (v.temperature !== this.lastTemperature) {
        this.lastTemperature = v.temperature;
        this.samples.request(false);
      }
    }));
    this._register(s.acceptance.onDidChange(() => this.queueState()));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.queueState()));
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.queueState()));

    // Once a second: notice a run starting or ending (the job starts before its first event); every 10 s while
    // training, a new sample.
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
      const busy = s.busy();
      if (busy !== this.lastBusy) {
        this.lastBusy = busy;
        this.queueState();
      }
      if (busy && this.ready && ticks % (SAMPLE_EVERY_MS / 1000) === 0) this.samples.request(true);
    }, 1000);
    this._register({ dispose: () => clearInterval(timer) });

    this.render();
  }

  /** Reloads the page (a fresh nonce); the page then sends `ready`. */
  render(): void {
    this.ready = false;
    const media = (f: string): string => this.panel.webview.asWebviewUri(vscode.Uri.joinPath(this.s.extensionUri, 'media', f)).toString();
    this.panel.webview.html = dashboardHtml({
      cspSource: this.panel.webview.cspSource, nonce: createNonce(),
      scriptUri: media('dashboard.js'), styleUri: media('dashboard.css'), codiconsUri: media('codicon.css'),
    });
  }

  reveal(): void {
    this.panel.reveal();
  }

  private onMessage(m: WebviewMessage): void {
    const controls = this.state().controls;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.post({
          type: 'init', state: this.state(), prompt: this.prompt, sample: this.lastSample,
          progress: this.s.recorder.progress ? toProgressView(this.s.recorder.progress) : null,
          curve: this.s.recorder.history.snapshot(),
        });
        this.pendingPoints = [];
        if (!this.lastSample || this.lastSample.status === 'no-model') this.samples.request(false);
        return;
      case 'train':
        if (controls.train.enabled) this.run('inkling.trainWorkspace');
        return;
      case 'stop':
        if (controls.stop.enabled) this.run('inkling.stopTraining');
        return;
      case 'retrain':
        if (controls.retrain.enabled) void this.confirmRetrain();
        return;
      case 'export':
        if (controls.export.enabled) this.run('inkling.exportModel');
        return;
      case 'newSample':
        this.samples.request(true);
        return;
      case 'setPrompt':
        if (m.prompt !== this.prompt) {
          this.prompt = m.prompt;
          this.samples.request(false);
        }
        return;
      case 'setTemperature':
        void Promise.resolve(this.s.settings.setTemperature(m.value)).catch((e: Error) =>
          void vscode.window.showErrorMessage(`Inkling: could not set the temperature: ${e.message}`));
        return;
    }
  }

  private async confirmRetrain(): Promise<void> {
    const go = 'Retrain from Scratch';
    const pick = await vscode.window.showWarningMessage('Retrain from scratch? The current model is replaced by a new one, trained with the current model settings.', { modal: true }, go);
    if (pick === go) this.run('inkling.retrainFromScratch');
  }

  private run(command: string): void {
    Promise.resolve(vscode.commands.executeCommand(command)).catch((e: Error) =>
      void vscode.window.showErrorMessage(`Inkling: ${e.message}`));
    this.queueState();
  }

  private async generate(r: { prompt: string; temperature: number; seed: number }): Promise<SampleView> {
    const model = this.s.completion.model;
    if (!model) return { status: 'no-model', prompt: r.prompt, text: '', temperature: r.temperature, seed: r.seed, modelSteps: null };
    const text = await this.s.completion.sample(r.prompt, r.temperature, SAMPLE_CHARS, r.seed);
    return { status: 'ok', prompt: r.prompt, text, temperature: r.temperature, seed: r.seed, modelSteps: model.trainedSteps };
  }

  private state(): DashboardState {
    const { recorder, completion, settings, acceptance } = this.s;
    const folders = vscode.workspace.workspaceFolders ?? [];
    const model = completion.model;
    return buildState({
      run: recorder.run,
      runMessage: recorder.message || (model ? 'A trained model is in use. Train again to improve it.' : 'No model yet: train on this workspace to get one.'),
      busy: this.s.busy(), trusted: vscode.workspace.isTrusted, hasFolder: folders.some((f) => pathOf(f.uri) !== undefined),
      platform: this.s.platformNote?.() ?? '',
      hasModel: model !== null, kernels: recorder.kernels, model, corpus: recorder.corpus, progress: recorder.progress,
      acceptance: acceptance.value, temperature: settings.value.temperature,
    });
  }

  /** Posts the state once, after the current burst of events (so a job's end is seen with busy already false). */
  private queueState(): void {
    if (this.stateQueued) return;
    this.stateQueued = true;
    setTimeout(() => {
      this.stateQueued = false;
      if (this.ready) this.post({ type: 'state', state: this.state() });
    }, 0);
  }

  private postProgress(): void {
    const p = this.s.recorder.progress;
    const points = this.pendingPoints;
    this.pendingPoints = [];
    if (p && points.length > 0) this.post({ type: 'progress', progress: toProgressView(p), points });
  }

  private post(m: HostMessage): void {
    if (!this.ready) return;
    void this.panel.webview.postMessage(m);
  }

  override dispose(): void {
    super.dispose();
    this._onDidDispose.fire();
    this._onDidDispose.dispose();
  }
}
