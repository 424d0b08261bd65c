/**
 * Character vocabulary: code points to ids. Id 0 is the unknown character, so any text can be encoded.
 * Serialised as `{ version: 1, chars: string[] }` where `chars[i]` is the character of id `i + 1`.
 */
import { show } from '../shared/show';

export const UNKNOWN_ID = 0;
/** Shown for the unknown id when decoding. */
export const UNKNOWN_CHAR = '\uFFFD';
const VOCAB_VERSION = 1;

export interface VocabularyJSON {
  version: number;
  chars: string[];
}

export interface VocabularyOptions {
  /** Most characters kept (by frequency; ties by code point). @default 255 */
  maxSize?: number;
  /** Characters seen fewer times map to the unknown id. @default 1 */
  minCount?: number;
  /**
   * Characters found in fewer of the given texts (documents) map to the unknown id. A symbol that only one file
   * uses then trains the unknown id, so the model learns what a character it has never seen costs (a held-out
   * file's own symbols are scored as the unknown id, which would otherwise never be a training target and be
   * driven towards probability zero). @default 1
   */
  minDocuments?: number;
}

export class VocabularyError extends Error {
  override name = 'VocabularyError';
}

export class Vocabulary {
  private readonly ids = new Map<string, number>();

  private constructor(private readonly chars: readonly string[]) {
    chars.forEach((ch, i) => this.ids.set(ch, i + 1));
  }

  /** Builds a vocabulary from text: the most frequent characters, in a stable order (by code point). */
  static fromText(texts: string | Iterable<string>, options: VocabularyOptions = {}): Vocabulary {
    const maxSize = options.maxSize ?? 255;
    const minCount = options.minCount ?? 1;
    const minDocuments = options.minDocuments ?? 1;
    const counts = new Map<string, number>();
    const documents = new Map<string, number>();
    for (const text of typeof texts === 'string' ? [texts] : texts) {
      const inThis = new Set<string>();
      for (const ch of text) {
        counts.set(ch, (counts.get(ch) ?? 0) + 1);
        if (minDocuments > 1) inThis.add(ch);
      }
      for (const ch of inThis) documents.set(ch, (documents.get(ch) ?? 0) + 1);
    }
    const kept = [...counts.entries()]
      .filter(([ch, n]) => n >= minCount && (minDocuments <= 1 || (documents.get(ch) ?? 0) >= minDocuments))
      .sort((a, b) => b[1] - a[1] || cmpCodePoint(a[0], b[0]))
      .slice(0, maxSize)
      .map(([ch]) => ch)
      .sort(cmpCodePoint);
    return new Vocabulary(kept);
  }

  /** Parses and validates a serialised vocabulary; throws {@link VocabularyError} on anything malformed. */
  static fromJSON(raw: unknown): Vocabulary {
    if (typeof raw !== 'object' || raw === null) throw new VocabularyError('vocabulary must be an object');
    const r = raw as Partial<VocabularyJSON>;
    if (r.version !== VOCAB_VERSION) {
      throw new VocabularyError(`unsupported vocabulary version ${show(r.version)} (expected ${VOCAB_VERSION})`);
    }
    if (!Array.isArray(r.chars)) throw new VocabularyError('vocabulary.chars must be an array');
    if (r.chars.length > 4095) throw new VocabularyError(`vocabulary has ${r.chars.length} characters; at most 4095 are supported`);
    const seen = new Set<string>();
    for (const ch of r.chars) {
      // One code point, and not half of a surrogate pair (two halves would decode to a character encode cannot map back).
      if (typeof ch !== 'string' || [...ch].length !== 1 || /^[\ud800-\udfff]$/.test(ch)) {
        throw new VocabularyError(`vocabulary entry ${show(ch)} is not a single character`);
      }
      if (seen.has(ch)) throw new VocabularyError(`vocabulary entry ${show(ch)} is duplicated`);
      seen.add(ch);
    }
    return new Vocabulary([...r.chars]);
  }

  toJSON(): VocabularyJSON {
    return { version: VOCAB_VERSION, chars: [...this.chars] };
  }

  /** Number of ids, including the unknown id. */
  get size(): number {
    return this.chars.length + 1;
  }

  idOf(ch: string): number {
    return this.ids.get(ch) ?? UNKNOWN_ID;
  }

  charOf(id: number): string {
    return id === UNKNOWN_ID ? UNKNOWN_CHAR : (this.chars[id - 1] ?? UNKNOWN_CHAR);
  }

  has(ch: string): boolean {
    return this.ids.has(ch);
  }

  /** Encodes text by code point. */
  encode(text: string): Int32Array {
    const out = new Int32Array(text.length);
    let n = 0;
    for (const ch of text) out[n++] = this.idOf(ch);
    return n === out.length ? out : out.slice(0, n);
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) s += this.charOf(ids[i]!);
    return s;
  }
}

function cmpCodePoint(a: string, b: string): number {
  return a.codePointAt(0)! - b.codePointAt(0)!;
}
