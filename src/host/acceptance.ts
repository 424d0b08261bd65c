/** Counts suggestions shown and accepted, locally, in workspace state. */
import type * as vscode from 'vscode';
import { Emitter } from '../shared/disposable';
import { reviveStats, type AcceptanceStats } from '../shared/stats';

const KEY = 'inkling.acceptance';

export class AcceptanceTracker implements vscode.Disposable {
  private stats: AcceptanceStats;
  private readonly changed = new Emitter<AcceptanceStats>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly memento: vscode.Memento) {
    this.stats = reviveStats(memento.get(KEY));
  }

  get value(): AcceptanceStats {
    return { ...this.stats };
  }

  shown(n: number): void {
    this.stats.shown += n;
    this.save();
  }

  accepted(chars: number): void {
    this.stats.acceptedFull++;
    this.stats.charsAccepted += Number.isFinite(chars) && chars > 0 ? chars : 0;
    this.save();
  }

  acceptedPart(chars: number): void {
    this.stats.acceptedPartial++;
    this.stats.charsAccepted += chars;
    this.save();
  }

  private save(): void {
    void this.memento.update(KEY, this.stats);
    this.changed.fire(this.value);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
