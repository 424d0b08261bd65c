/** Counts suggestions shown and accepted, locally, in workspace state. */
import * as vscode from 'vscode';
import { Emitter } from '../shared/disposable';
import { PartialAcceptDetector, reviveStats, type AcceptanceStats } from '../shared/stats';

const KEY = 'inkling.acceptance';

export class AcceptanceTracker implements vscode.Disposable {
  private stats: AcceptanceStats;
  private readonly changed = new Emitter<AcceptanceStats>();
  readonly onDidChange = this.changed.event;

  private readonly partial = new PartialAcceptDetector();
  private readonly sub: vscode.Disposable;

  constructor(private readonly memento: vscode.Memento) {
    this.stats = reviveStats(memento.get(KEY));
    this.sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length !== 1) return;
      const c = e.contentChanges[0]!;
      const n = this.partial.change(e.document.uri.toString(), c.rangeOffset, c.rangeLength, c.text);
      if (n > 0) this.acceptedPart(n);
    });
  }

  /** Counts a suggestion shown at `offset` of `doc`, and remembers it to recognise a partial accept of it. */
  suggestionShown(doc: vscode.Uri, offset: number, text: string): void {
    this.partial.shown(doc.toString(), offset, text);
    this.stats.shown++;
    this.save();
  }

  get value(): AcceptanceStats {
    return { ...this.stats };
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

  private persistTimer: NodeJS.Timeout | undefined;

  /** Notifies at once; writes workspace state at most every 2 s (this runs on every suggestion shown). */
  private save(): void {
    this.changed.fire(this.value);
    this.persistTimer ??= setTimeout(() => {
      this.persistTimer = undefined;
      void this.memento.update(KEY, this.stats);
    }, 2000);
  }

  dispose(): void {
    if (this.persistTimer) {
      clearTimeout(this.persistTimer);
      void this.memento.update(KEY, this.stats);
    }
    this.sub.dispose();
    this.changed.dispose();
  }
}
