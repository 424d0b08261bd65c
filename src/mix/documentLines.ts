/**
 * Open documents feed the n-gram and match models, so that a name defined a few lines above the cursor (or in
 * another open file) is suggested before it was ever saved or trained on. Each document's lines are learned
 * once: this keeps, per document, the hashes of the lines already given to the models and returns only new ones.
 * Secrets are masked as the training corpus masks them, and files the corpus would skip by name as secret
 * (`.env`, keys) are not read at all.
 */
import { isSecretFileName, maskSecrets } from '../corpus/secrets';

export class DocumentLines {
  private readonly seen = new Map<string, Set<number>>();

  constructor(private readonly maxDocs = 64, private readonly maxLinesPerDoc = 50_000) {}

  /** The lines of `text` not yet learned for `doc` (joined by newlines; '' when none), now counted as learned. */
  newText(doc: string, text: string): string {
    const base = doc.slice(doc.lastIndexOf('/') + 1);
    if (isSecretFileName(decodeURIComponent(base))) return '';
    let set = this.seen.get(doc);
    if (!set) {
      set = new Set();
      this.seen.set(doc, set);
      while (this.seen.size > this.maxDocs) this.seen.delete(this.seen.keys().next().value!);
    }
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
