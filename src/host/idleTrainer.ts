/**
 * `inkling.training.whenIdle`: keeps training in the background while the editor is idle. Typing, editing,
 * saving and changing the selection count as activity; after `inkling.training.idleAfterSeconds` without any, a
 * background run continues the stored model (replaced only when better, as every run). The run pauses while the
 * user types (as any run), stops on battery power and when the setting is turned off; after a few runs in a row
 * that did not improve the model it waits for a saved file. The decision itself is src/shared/idle.ts.
 */
import * as vscode from 'vscode';
import { IdlePolicy } from '../shared/idle';
import { folderPaths } from './paths';
import type { SettingsService } from './settings';
import type { TrainingController } from './training';
import type { TypingWatcher } from './typingWatcher';

export class IdleTrainer implements vscode.Disposable {
  private readonly policy: IdlePolicy;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private powerTimer: ReturnType<typeof setInterval> | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private disposed = false;
  /** Why background training is not running now (for the dashboard and the tests). */
  why = '';
  /** Background runs started so far. */
  runs = 0;

  constructor(
    private readonly settings: SettingsService,
    private readonly training: TrainingController,
    typing: TypingWatcher,
    private readonly onBattery: () => Promise<boolean | undefined> = async () => undefined,
  ) {
    this.policy = new IdlePolicy(settings.value.idleAfterSeconds * 1000, Date.now());
    const active = (saved = false) => { this.policy.noteActivity(Date.now(), saved); this.schedule(); };
    this.subs.push(
      typing.onDidType(() => active()),
      vscode.workspace.onDidSaveTextDocument(() => active(true)),
      vscode.window.onDidChangeTextEditorSelection(() => active()),
      settings.onDidChange((s) => {
        this.policy.setIdleAfter(s.idleAfterSeconds * 1000);
        if (!s.trainWhenIdle && this.training.background) this.training.stop();
        this.schedule();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.schedule()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.schedule()),
    );
    this.schedule();
  }

  private schedule(): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    const d = this.policy.decide(Date.now(), this.inputs(undefined));
    // Battery is read only when a run could start: the decision asks again then.
    const at = d.start ? Date.now() : d.retryAt;
    this.why = d.start ? '' : d.why;
    if (at !== null) this.timer = setTimeout(() => void this.tick(), Math.max(0, at - Date.now()));
  }

  private inputs(onBattery: boolean | undefined) {
    const s = this.settings.value;
    return { enabled: s.trainWhenIdle, canTrain: vscode.workspace.isTrusted && folderPaths().length > 0, busy: this.training.busy, onBattery };
  }

  private async tick(): Promise<void> {
    if (this.disposed) return;
    const d = this.policy.decide(Date.now(), this.inputs(await this.onBattery()));
    if (!d.start) {
      this.why = d.why;
      if (d.retryAt !== null) this.timer = setTimeout(() => void this.tick(), Math.max(1000, d.retryAt - Date.now()));
      return;
    }
    this.why = '';
    this.runs++;
    let improved = false;
    const sub = this.training.onEvent((e) => { if (e.type === 'done') improved = !e.kept && e.stopReason !== 'aborted'; });
    // On battery power mid-run: stop (the best checkpoint is kept, as with Stop Training).
    this.powerTimer = setInterval(() => void this.onBattery().then((b) => { if (b && this.training.background) this.training.stop(); }), 30_000);
    const outcome = await this.training.train(false, { background: true }).finally(() => {
      sub.dispose();
      clearInterval(this.powerTimer);
    });
    this.policy.noteRunEnded(Date.now(), improved, outcome === 'error');
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    clearInterval(this.powerTimer);
    for (const s of this.subs) s.dispose();
  }
}
