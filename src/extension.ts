// Composition root: builds the services, wires them together and registers them. No logic of its own.
// The desktop's entry (`main`); the browser's (`browser`, src/web/extension.ts) builds the same services on its own
// platform pieces through activateOn.
import path from 'node:path';
import * as vscode from 'vscode';
import type { ComputeHandle } from './shared/platform';
import type { TrainConfig } from './shared/modelConfig';
import type { TypingSignal } from './shared/typing';
import { setHostPaths, type HostPaths } from './host/paths';
import { TrainingClient } from './host/trainingClient';
import { CompletionService } from './host/completionService';
import { exportModel, importModel, setTemperature } from './host/commands';
import { ModelStore } from './host/modelStore';
import { Notifier } from './host/notifier';
import { ACCEPT_COMMAND, InklingProvider } from './host/provider';
import { SettingsService, updateWhereDefined } from './host/settings';
import { AcceptanceTracker } from './host/acceptance';
import { StatusBar } from './host/statusBar';
import { TrainingController } from './host/training';
import { SaveWatcher } from './host/saveWatcher';
import { TypingWatcher } from './host/typingWatcher';
import { IdleTrainer } from './host/idleTrainer';
import { linuxOnBattery } from './host/power';
import { loadSavedModel } from './host/startup';
import { WorkspaceIndexer } from './host/workspaceIndex';
import { Dashboard } from './dashboard/dashboard';
import { DASHBOARD_VIEW_TYPE } from './shared/dashboardProtocol';

export interface InklingApi {
  store: ModelStore;
  training: TrainingController;
  completion: CompletionService;
  provider: InklingProvider;
  acceptance: AcceptanceTracker;
  settings: SettingsService;
  notifier: Notifier;
  idle: IdleTrainer;
  /** Resolves when the saved model (if any) has been loaded at activation. */
  ready: Promise<void>;
  /** Resolves when the workspace n-gram model built at activation is ready (or could not be built). */
  indexed: Promise<void>;
}

/** The platform pieces a composition root supplies (the desktop's below; the browser's in src/web). */
export interface HostPlatform {
  store: ModelStore;
  /** The completion worker's script, or a function that starts the compute side. */
  completion: string | (() => ComputeHandle);
  /** The training worker's script, or a function that starts it with the typing signal. */
  training: string | ((typing: TypingSignal) => ComputeHandle);
  paths?: HostPaths;
  /** Training settings of this platform (smaller steps when training shares the host's thread). */
  trainDefaults?: Partial<TrainConfig>;
  /** What differs on this platform (threads, speed), said in the output channel and the dashboard. */
  note?: string;
  /** On battery power? (undefined: the platform does not tell.) Background training stops on battery. */
  onBattery?: () => Promise<boolean | undefined>;
}

export function activate(context: vscode.ExtensionContext): InklingApi {
  const dist = path.join(context.extensionPath, 'dist');
  return activateOn(context, {
    store: new ModelStore(context),
    completion: path.join(dist, 'completionWorker.js'),
    training: path.join(dist, 'trainingWorker.js'),
    onBattery: () => linuxOnBattery(),
  });
}

export function activateOn(context: vscode.ExtensionContext, platform: HostPlatform | ((log: vscode.LogOutputChannel) => HostPlatform)): InklingApi {
  const sub = <T extends vscode.Disposable>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  const log = sub(vscode.window.createOutputChannel('Inkling', { log: true }));
  const p = typeof platform === 'function' ? platform(log) : platform;
  if (p.paths) setHostPaths(p.paths);
  if (p.note) log.info(p.note);
  const notifier = new Notifier(log);
  const settings = sub(new SettingsService(notifier));
  const store = p.store;
  const status = sub(new StatusBar());
  const completion = sub(new CompletionService(p.completion));
  const trainingClient = sub(new TrainingClient(p.training));
  const training = sub(new TrainingController(trainingClient, completion, store, settings, status, notifier));
  training.trainDefaults = p.trainDefaults ?? {};
  training.platformNote = p.note ?? '';
  const acceptance = sub(new AcceptanceTracker(context.workspaceState));
  let enabled = settings.value.enable;
  const provider = new InklingProvider(completion, settings, { enabled: () => enabled, onShown: (doc, offset, text) => acceptance.suggestionShown(doc, offset, text) });
  sub(vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, provider));
  sub(new SaveWatcher(settings, training));
  sub(vscode.workspace.onDidSaveTextDocument(() => void completion.rehearse()));
  const typing = sub(new TypingWatcher(settings, () => trainingClient.noteTyping()));
  const idle = sub(new IdleTrainer(settings, training, typing, p.onBattery));
  sub(vscode.workspace.onDidCloseTextDocument((d) => provider.forget(d.uri)));
  const indexer = sub(new WorkspaceIndexer(completion, settings, notifier));
  const showResting = () => status.showResting(enabled, completion.model, completion.index?.files);
  sub(settings.onDidChange((s) => { enabled = s.enable; showResting(); }));
  sub(completion.onDidChangeIndex(() => { if (!training.busy) showResting(); }));
  sub(training.onEvent((e) => { if (e.type === 'done') void indexer.rebuild(); }));

  const register = <A extends unknown[]>(id: string, fn: (...args: A) => unknown) => sub(vscode.commands.registerCommand(id, fn));
  register('inkling.trainWorkspace', () => training.train(false));
  register('inkling.retrainFromScratch', () => training.train(true));
  register('inkling.stopTraining', () => training.stop());
  register('inkling.setTemperature', (t?: number) => setTemperature(settings, t));
  register('inkling.exportModel', (target?: string) => exportModel(store, notifier, target));
  register('inkling.importModel', (from?: string) => importModel(training, completion, from));
  register('inkling.toggleCompletions', () => updateWhereDefined('enable', !enabled));
  register('inkling.triggerCompletion', () => vscode.commands.executeCommand('editor.action.inlineSuggest.trigger'));
  const dashboard = sub(new Dashboard({ extensionUri: context.extensionUri, training, completion, settings, acceptance, platformNote: () => training.platformNote }));
  sub(vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, dashboard));
  register('inkling.showDashboard', () => dashboard.show());
  register(ACCEPT_COMMAND, (chars: number) => acceptance.accepted(chars));

  const ready = loadSavedModel(context.workspaceState, store, completion, settings, training, notifier).then(showResting);
  const indexed = ready.then(() => indexer.rebuild());
  return { store, training, completion, provider, acceptance, settings, notifier, idle, ready, indexed };
}

export function deactivate(): void {
  // Everything, workers included, is disposed through context.subscriptions.
}
