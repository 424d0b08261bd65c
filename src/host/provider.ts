/**
 * The inline completion provider: a thin adapter from VS Code's request to the pure rules and the completion
 * worker. Suggestions stop at the end of the line by default, are not offered where code follows the cursor,
 * continue the IntelliSense item that is selected, and survive typing their first characters without a new
 * model call.
 */
import { appendFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { CancelledError } from './completionClient';
import { indentOf, inCommentOrString, lineEndIsFree, trimSuggestion } from '../shared/completionRules';
import { TypedCache } from './typedCache';
import { languageEnabled } from '../shared/settings';
import type { CompletionService } from './completionService';
import type { SettingsService } from './settings';

export const ACCEPT_COMMAND = 'inkling.acceptedSuggestion';
/** Largest document whose text is given to the n-gram and match models, and how often per document. */
const MAX_OBSERVED_CHARS = 1 << 20;
const OBSERVE_EVERY_MS = 5000;

export interface ProviderHooks {
  enabled(): boolean;
  /** A suggestion `text` is offered at `offset` of `doc` (in addition to any lead text of a selected item). */
  onShown(doc: vscode.Uri, offset: number, text: string): void;
}

export class InklingProvider implements vscode.InlineCompletionItemProvider {
  private readonly typed = new TypedCache();
  private seed = 1;
  private readonly observed = new Map<string, { version: number; at: number }>();
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
    const answer: Answer = { source: 'none' };
    // The document as it was when the editor asked (it may change while the worker answers).
    const asked = TRACE_FILE ? { version: document.version, chars: document.getText().length, offset: document.offsetAt(position) } : undefined;
    // Asked (before any answer): a test that gets no answer can tell a request never made from one not answered.
    if (asked) appendTrace({ doc: document.uri.toString(), started: true, ...asked, explicit: context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke });
    let items: vscode.InlineCompletionItem[] | undefined;
    try {
      items = await this.provide(document, position, context, token, answer);
    } catch (e) {
      answer.error = e instanceof Error ? e.message : String(e);
      throw e;
    } finally {
      if (asked) trace(document, asked, context, items, token, answer);
    }
    return items;
  }

  private async provide(
    document: vscode.TextDocument, position: vscode.Position, context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken, answer: Answer,
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

    // Alternatives only when the user asks for them (Alt+] cycles by asking again, explicitly); otherwise one.
    const explicit = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
    let texts = this.typed.lookup(doc, before);
    if (texts && explicit && texts.length < 2) texts = undefined;
    if (texts) answer.source = 'typed';
    if (!texts) {
      // A document's text goes to the n-gram and match models before its first suggestion; afterwards only once
      // the worker has read the text typed since (it marks what it learned from typing, so that is not learned
      // twice; see DocumentLines).
      const first = !this.observed.has(doc);
      if (first) this.observeOnce(document);
      if (s.debounceMs > 0 && context.triggerKind === vscode.InlineCompletionTriggerKind.Automatic) {
        await new Promise((r) => setTimeout(r, s.debounceMs));
        if (token.isCancellationRequested) return undefined;
      }
      let r;
      try {
        if (TRACE_FILE) answer.seq = ++traceSeq;
        r = await this.completion.client.request('complete', {
          doc, context: before, wholePrefix: start === 0, alternatives: explicit ? 3 : 1, temperature: s.temperature,
          maxChars: s.maxSuggestionChars, stopAtNewline: !s.multiline, seed: this.seed++, mix: s.ngram,
          confidence: s.confidence, languageId: document.languageId,
        }, token);
      } catch (e) {
        if (e instanceof CancelledError) return undefined;
        throw e;
      } finally {
        // Not the lines around the cursor: what is typed there is learned as it is typed.
        if (!first) this.observeOnce(document, { fromLine: document.positionAt(start).line, toLine: range.start.line });
      }
      if (r.type !== 'completion' || token.isCancellationRequested) return undefined;
      answer.source = r.source;
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

  /**
   * Gives an open document's text to the worker's n-gram and match models (it learns only lines it has not read
   * for that document), at the first suggestion in it and after edits, at most every few seconds per document.
   * `skip`: lines left out (those of the context just sent, which the models read as they are typed).
   */
  observeOnce(document: vscode.TextDocument, skip?: { fromLine: number; toLine: number }): void {
    if (!this.settings.value.ngram || (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled')) return;
    const key = document.uri.toString();
    const last = this.observed.get(key);
    if (last && last.version === document.version) return;
    if (last && Date.now() - last.at < OBSERVE_EVERY_MS) return;
    this.observed.set(key, { version: document.version, at: Date.now() });
    if (this.observed.size > 256) this.observed.delete(this.observed.keys().next().value!);
    if (document.getText().length > MAX_OBSERVED_CHARS) return;
    const text = skip
      ? document.getText(new vscode.Range(0, 0, skip.fromLine, 0))
        + (skip.toLine + 1 < document.lineCount ? document.getText(new vscode.Range(skip.toLine + 1, 0, document.lineCount, 0)) : '')
      : document.getText();
    if (TRACE_FILE) appendTrace({ doc: key, observe: true, seq: ++traceSeq, text });
    this.completion.client.observe(key, text);
  }

  forget(doc: vscode.Uri): void {
    this.typed.forget(doc.toString());
    this.observed.delete(doc.toString());
    this.completion.client.forget(doc.toString());
  }
}

interface Answer {
  /** Where the text came from: the worker's model ('mixed', 'lstm', 'ngram'), the typed cache, or nothing asked. */
  source: string;
  /** The request failed with this message. */
  error?: string;
  /** Its place among the messages sent to the worker (completion requests and observed documents), when traced. */
  seq?: number;
}

/**
 * With INKLING_COMPLETION_TRACE set to a file, every answer of the provider is appended to it as one JSON line
 * (document, offset, the text offered, where it came from, cancelled or not, asked explicitly or not, the error of a
 * failed request, its place among the messages sent to the worker), and so is every document text given to the
 * worker's models (`observe`) and every request as it is made (`started`, before its answer): how the end-to-end
 * tests know what the models read, in order, and that the editor has answered at a position, including with
 * nothing, without waiting a fixed time.
 */
// (No `process` in the browser's extension host: there is no trace there.)
const TRACE_FILE = typeof process === 'object' ? process.env.INKLING_COMPLETION_TRACE : undefined;

function trace(
  document: vscode.TextDocument, asked: { version: number; chars: number; offset: number }, context: vscode.InlineCompletionContext,
  items: vscode.InlineCompletionItem[] | undefined, token: vscode.CancellationToken, answer: Answer,
): void {
  const first = items?.[0]?.insertText;
  const line = {
    doc: document.uri.toString(), version: asked.version, offset: asked.offset, chars: asked.chars,
    text: typeof first === 'string' ? first : '', source: answer.source, cancelled: token.isCancellationRequested,
    explicit: context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke, ...(answer.error ? { error: answer.error } : {}),
    // Sent to the worker (answered or not: a cancelled request is still read by the models), in this order.
    ...(answer.seq !== undefined ? { seq: answer.seq } : {}),
  };
  appendTrace(line);
}

/** Messages to the worker traced so far (see {@link Answer.seq}). */
let traceSeq = 0;

function appendTrace(line: object): void {
  try {
    appendFileSync(TRACE_FILE!, `${JSON.stringify(line)}\n`);
  } catch {
    // A trace that cannot be written must not break completions.
  }
}
