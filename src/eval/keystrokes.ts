/**
 * Keystroke savings, measured as a user would feel them: a simulated user types a held-out text from start to
 * end. At each position the suggestion the extension would show is offered; if it is a prefix of the real
 * upcoming text the user accepts it with one keystroke (Tab), otherwise types the next character (and a shown
 * suggestion whose first character was typed stays on screen, as in the editor). Leading white space of a line
 * is what the editor auto-indents: it is neither typed nor counted. With accept-by-word, the user instead
 * accepts the longest whole-word prefix of the suggestion that matches, with one keystroke (Ctrl+Right).
 */

export interface TypingResult {
  /** Keystrokes a user without suggestions would type (characters, minus auto-indentation). */
  baseline: number;
  /** Keystrokes with suggestions accepted in full when they match. */
  withFull: number;
  /** Keystrokes with accept-by-word. */
  withWord: number;
  /** Suggestions computed (each costs one model call). */
  suggestions: number;
  /** Suggestions shown (non-empty) and accepted in full. */
  shown: number;
  acceptedFull: number;
  /** Milliseconds per suggestion call. */
  latenciesMs: number[];
}

export type Suggest = (before: string) => string;

const WORD_END = /[^A-Za-z0-9_]/;

/** The longest prefix of `s` ending at a word boundary (or all of it) that is also a prefix of `text`. */
export function longestWordPrefix(s: string, text: string): number {
  let best = 0;
  let i = 0;
  while (i < s.length && s[i] === text[i]) {
    i++;
    const atBoundary = i === s.length || WORD_END.test(s[i]!) !== WORD_END.test(s[i - 1]!);
    if (atBoundary) best = i;
  }
  return best;
}

function isAutoIndent(text: string, i: number): boolean {
  // Inside the leading white space of a line.
  let j = i;
  while (j > 0 && (text[j - 1] === ' ' || text[j - 1] === '\t')) j--;
  return (j === 0 || text[j - 1] === '\n') && (text[i] === ' ' || text[i] === '\t');
}

function run(text: string, suggest: Suggest, mode: 'full' | 'word', stats: TypingResult | null): number {
  let keys = 0;
  let shown = '';
  let i = 0;
  while (i < text.length) {
    if (isAutoIndent(text, i)) {
      i++;
      shown = '';
      continue;
    }
    if (!shown) {
      const t0 = performance.now();
      shown = suggest(text.slice(0, i));
      if (stats) {
        stats.latenciesMs.push(performance.now() - t0);
        stats.suggestions++;
        if (shown) stats.shown++;
      }
    }
    const rest = text.slice(i, i + shown.length);
    if (shown && mode === 'full' && rest === shown) {
      keys++;
      i += shown.length;
      if (stats) stats.acceptedFull++;
      shown = '';
      continue;
    }
    if (shown && mode === 'word') {
      const n = longestWordPrefix(shown, text.slice(i, i + shown.length));
      if (n > 1) {
        keys++;
        i += n;
        shown = shown.slice(n);
        continue;
      }
    }
    keys++;
    shown = shown && shown[0] === text[i] ? shown.slice(1) : '';
    i++;
  }
  return keys;
}

/**
 * Simulates typing `text` with full-accept and with accept-by-word. `newSuggester` makes the suggestion function
 * (called with the text so far) afresh for each of the two passes: a model that learns from what is typed must
 * not have seen the text in the first pass when the second begins.
 */
export function simulateTyping(text: string, newSuggester: () => Suggest): TypingResult {
  const stats: TypingResult = { baseline: 0, withFull: 0, withWord: 0, suggestions: 0, shown: 0, acceptedFull: 0, latenciesMs: [] };
  for (let i = 0; i < text.length; i++) if (!isAutoIndent(text, i)) stats.baseline++;
  stats.withFull = run(text, newSuggester(), 'full', stats);
  stats.withWord = run(text, newSuggester(), 'word', null);
  return stats;
}

export function savings(r: TypingResult): { full: number; word: number; fullAcceptRate: number } {
  return {
    full: r.baseline ? 1 - r.withFull / r.baseline : 0,
    word: r.baseline ? 1 - r.withWord / r.baseline : 0,
    fullAcceptRate: r.shown ? r.acceptedFull / r.shown : 0,
  };
}
