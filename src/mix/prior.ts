/**
 * What the n-gram part scores on text it has not read, measured while the workspace is read into it: the last
 * files (up to `tailChars`) are scored before they are added. With the LSTM's validation score this sets the
 * mixture's starting weights (see `priorLstmShare`), so an undertrained LSTM starts with little say.
 */
import type { NGramModel } from '../ngram';

export class HeldOutProbe {
  private bits = 0;
  private chars = 0;
  private seen = 0;

  /** @param totalChars characters of all the files that will be added, in order */
  constructor(private readonly totalChars: number, private readonly tailChars = 32768) {}

  /** Adds one file's text to `ngram`, scoring it first when it is among the last files. */
  add(ngram: NGramModel, text: string): void {
    this.seen += text.length;
    if (this.seen > this.totalChars - this.tailChars && this.seen > text.length) {
      const n = [...text].length;
      if (n > 0) {
        this.bits += ngram.bitsPerChar(text) * n;
        this.chars += n;
      }
    }
    ngram.add(text);
  }

  /** Bits per character of the scored files, or null when none was scored. */
  get bitsPerChar(): number | null {
    return this.chars > 0 ? this.bits / this.chars : null;
  }
}

/** Adds `texts` to `ngram` in order; returns what the last of them scored before they were added. */
export function addScoringTail(ngram: NGramModel, texts: string[]): number | null {
  const probe = new HeldOutProbe(texts.reduce((a, t) => a + t.length, 0));
  for (const t of texts) probe.add(ngram, t);
  return probe.bitsPerChar;
}
