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

  /** Remembers the suggestion shown at `offset` of `doc`, to recognise a partial accept of it. */
  shownAt(doc: vscode.Uri, offset: number, text: string): void {
    this.partial.shown(doc.toString(), offset, text);
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
    this.sub.dispose();
    this.changed.dispose();
  }
}
