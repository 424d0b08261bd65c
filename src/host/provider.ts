/**
 * The inline completion provider: a thin adapter from VS Code's request to the pure rules and the completion
 * worker. Suggestions stop at the end of the line by default, are not offered where code follows the cursor,
 * continue the IntelliSense item that is selected, and survive typing their first characters without a new
 * model call.
 */
import * as vscode from 'vscode';
import { CancelledError } from '../completion/client';
import { indentOf, inCommentOrString, lineEndIsFree, trimSuggestion } from '../completion/rules';
import { TypedCache } from '../completion/typedCache';
import { isSecretFileName } from '../corpus/secrets';
import { languageEnabled } from '../shared/settings';
import type { CompletionService } from './completionService';
import type { SettingsService } from './settings';

export const ACCEPT_COMMAND = 'inkling.acceptedSuggestion';

export interface ProviderHooks {
  enabled(): boolean;
  /** A suggestion `text` is offered at `offset` of `doc` (in addition to any lead text of a selected item). */
  onShown(doc: vscode.Uri, offset: number, text: string): void;
}

export class InklingProvider implements vscode.InlineCompletionItemProvider {
  private readonly typed = new TypedCache();
  private seed = 1;
  /** Latency of the last worker answers (ms), for the dashboard and the tests. */
  readonly latencies: number[] = [];

  constructor(
    private readonly completion: CompletionService,
    private readonly settings: SettingsService,
    private readonly hooks: ProviderHooks,
  ) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument, position: vscode.Position, context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const s = this.settings.value;
    if (!this.hooks.enabled() || !languageEnabled(s, document.languageId) || !this.completion.canSuggest) return undefined;
    const line = document.lineAt(position.line).text;
    if (!lineEndIsFree(line.slice(position.character))) return undefined;
    const sel = context.selectedCompletionInfo;
    const range = sel ? sel.range : new vscode.Range(position, position);
    const lead = sel ? sel.text : '';
    const linePrefix = line.slice(0, range.start.character) + lead;
    if (!s.inCommentsAndStrings && inCommentOrString(linePrefix, document.languageId)) return undefined;

    const end = document.offsetAt(range.start);
    const start = Math.max(0, end - s.contextChars);
    const before = document.getText(new vscode.Range(document.positionAt(start), range.start)) + lead;
    const doc = document.uri.toString();
    const trim = (t: string): string => trimSuggestion(t, { multiline: s.multiline, indent: indentOf(line) });

    let texts = this.typed.lookup(doc, before);
    if (!texts) {
      if (s.debounceMs > 0 && context.triggerKind === vscode.InlineCompletionTriggerKind.Automatic) {
        await new Promise((r) => setTimeout(r, s.debounceMs));
        if (token.isCancellationRequested) return undefined;
      }
      let r;
      try {
        r = await this.completion.client.request('complete', {
          doc, context: before, wholePrefix: start === 0, alternatives: 3, temperature: s.temperature,
          maxChars: s.maxSuggestionChars, stopAtNewline: !s.multiline, seed: this.seed++, mix: s.ngram,
          // What is typed in a file training skips as a secret is never learned from.
          learn: !isSecretFileName(document.uri.path.slice(document.uri.path.lastIndexOf('/') + 1)),
        }, token);
      } catch (e) {
        if (e instanceof CancelledError) return undefined;
        throw e;
      }
      if (r.type !== 'completion' || token.isCancellationRequested) return undefined;
      this.latencies.push(r.ms);
      if (this.latencies.length > 200) this.latencies.shift();
      // The first item is the model's choice at the user's temperature; alternatives only add to it.
      const trimmed = r.items.map(trim);
      texts = trimmed[0] ? [...new Set(trimmed.filter((t) => t.length > 0))] : [];
      if (texts.length) this.typed.remember(doc, { before, items: texts });
    }
    if (!texts.length) return undefined;
    this.hooks.onShown(document.uri, document.offsetAt(range.start) + lead.length, texts[0]!);
    return texts.map((t) => new vscode.InlineCompletionItem(lead + t, range, {
      command: ACCEPT_COMMAND, title: 'Inkling suggestion accepted', arguments: [t.length],
    }));
  }

  forget(doc: vscode.Uri): void {
    this.typed.forget(doc.toString());
    this.completion.client.forget(doc.toString());
  }
}
