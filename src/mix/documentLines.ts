/**
 * Open documents feed the n-gram and match models, so that a name defined a few lines above the cursor (or in
 * another open file) is suggested before it was ever saved or trained on. Each document's lines are learned
 * once: this keeps, per document, the hashes of the lines already given to the models and returns only new ones.
 * Secrets are masked as the training corpus masks them, and files the corpus would skip by name as secret
 * (`.env`, keys) are not read at all.
 *
 * Text the user types is learned as it is typed (each completion request feeds it through the models, see
 * `engine/stateCache.ts`); {@link DocumentLines.markLearned} records those lines too, so that the document's
 * text given afterwards does not teach them a second time.
 */
import { isSecretFileName, maskSecrets } from '../corpus/secrets';

export class DocumentLines {
  private readonly seen = new Map<string, Set<number>>();

  constructor(private readonly maxDocs = 64, private readonly maxLinesPerDoc = 50_000) {}

  private linesOf(doc: string): Set<number> {
    let set = this.seen.get(doc);
    if (!set) {
      set = new Set();
      this.seen.set(doc, set);
      while (this.seen.size > this.maxDocs) this.seen.delete(this.seen.keys().next().value!);
    }
    return set;
  }

  /**
   * The models have just learned the last `learned` characters of `context` (the text before the cursor in
   * `doc`, typed): its complete lines that overlap them count as learned. The line the cursor is on does not
   * (it is not finished); it is counted when a later context ends past its newline.
   */
  markLearned(doc: string, context: string, learned: number): void {
    if (learned <= 0) return;
    const from = Math.max(0, context.length - learned);
    const lastNl = context.lastIndexOf('\n');
    if (lastNl < from) return;
    const set = this.linesOf(doc);
    // From the start of the line holding the first learned character to the last complete line.
    const start = from > 0 ? context.lastIndexOf('\n', from - 1) + 1 : 0;
    for (const line of context.slice(start, lastNl).split('\n')) {
      const masked = maskSecrets(line).text;
      if (masked.trim() === '' || set.size >= this.maxLinesPerDoc) continue;
      set.add(hash(masked));
    }
  }

  /** The lines of `text` not yet learned for `doc` (joined by newlines; '' when none), now counted as learned. */
  newText(doc: string, text: string): string {
    const base = doc.slice(doc.lastIndexOf('/') + 1);
    if (isSecretFileName(decodeURIComponent(base))) return '';
    const set = this.linesOf(doc);
    const fresh: string[] = [];
    for (const line of maskSecrets(text).text.split('\n')) {
      if (line.trim() === '') continue;
      const h = hash(line);
      if (set.has(h) || set.size >= this.maxLinesPerDoc) continue;
      set.add(h);
      fresh.push(line);
    }
    return fresh.length ? `${fresh.join('\n')}\n` : '';
  }

  forget(doc: string): void {
    this.seen.delete(doc);
  }
}

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
