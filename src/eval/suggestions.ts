/**
 * Ghost-text figures as a person pays for them. A simulated user types a held-out text from start to end. At
 * each position where no suggestion is on screen, the suggestion the extension would show there is offered
 * (the greedy continuation cut where the model's confidence falls below the threshold, see
 * `engine/confident.ts`). For every distinct suggestion shown we record the characters shown and the
 * characters right (its longest prefix that is the real continuation).
 *
 * The user reads every suggestion shown, at a cost of `readCost` keystrokes per character; accepts it with one
 * keystroke (Tab) when it is all right; otherwise accepts its longest right prefix that ends at a word boundary
 * with one keystroke per word (Ctrl+Right), when that saves keys, then types on (typing a character the
 * suggestion shows keeps it on screen, as the editor does; the first character it got wrong dismisses it, and
 * the next position gets a new suggestion). Leading white space of a line is what the editor auto-indents: it is
 * neither typed nor counted.
 *
 * Totals: precision = characters right ÷ characters shown; recall = characters right ÷ characters the user
 * types without suggestions; the share of suggestions right in full; keystrokes saved net of reading. The model
 * behind the suggestions reads (and may learn from) exactly the text before each position, whatever the
 * threshold, so the continuation at every position is computed once and each threshold's run replays them.
 */
import { runNow, type Steps } from '../shared/steps';
import { type Continuation, shownText } from '../engine/confident';
import { longestWordPrefix } from './keystrokes';
import type { GhostTextFigures } from '../shared/progress';

/** A stretch of a held-out file that the simulated user types: `text.slice(start, end)`, after `text.slice(0, start)`. */
export interface Segment {
  doc: string;
  languageId: string;
  text: string;
  start: number;
  end: number;
}

/** The suggestions' source: `open` when the user opens the file, then `propose` at positions in increasing order. */
export interface Proposer {
  open(seg: Segment): void;
  /**
   * The continuation (before the prose and confidence cuts, which `shownText` makes per threshold) with `before` the
   * file's text before the cursor.
   */
  propose(seg: Segment, before: string): Continuation;
}

export interface SuggestionRecord {
  /** Offset in the text where it was shown. */
  at: number;
  shown: number;
  right: number;
  /** The model's estimate that it is all right. */
  confidence: number;
}

export interface PersonRun {
  threshold: number;
  readCost: number;
  /** Characters a user types without suggestions (auto-indentation excluded). */
  baseline: number;
  /** Keystrokes typed and accepting, and characters read. */
  keys: number;
  readChars: number;
  suggestions: SuggestionRecord[];
}

/** The figures at one threshold; `keystrokesSaved` = 1 − (keystrokes + readCost × characters read) ÷ baseline. */
export interface PersonFigures extends GhostTextFigures {
  threshold: number;
  /** Mean characters shown per suggestion. */
  meanShown: number;
}

export interface ReliabilityRow {
  /** The bin of predicted confidence [from, to). */
  from: number;
  to: number;
  suggestions: number;
  /** Mean predicted probability that the suggestion is all right, and the share that was. */
  predicted: number;
  observed: number;
}

function isAutoIndent(text: string, i: number): boolean {
  let j = i;
  while (j > 0 && (text[j - 1] === ' ' || text[j - 1] === '\t')) j--;
  return (j === 0 || text[j - 1] === '\n') && (text[i] === ' ' || text[i] === '\t');
}

function commonPrefix(a: string, text: string, at: number): number {
  let n = 0;
  while (n < a.length && at + n < text.length && a[n] === text[at + n]) n++;
  return n;
}

/** Keystrokes of Ctrl+Right needed to accept `s` (one per word, white space before it included). */
export function wordSteps(s: string): number {
  return (s.match(/\s*(?:[\p{L}\p{N}_$]+|[^\p{L}\p{N}_$\s]+)|\s+$/gu) ?? []).length;
}

/** Continuations at every position of a segment the user may reach (auto-indentation skipped), computed once. */
export function proposeAll(seg: Segment, proposer: Proposer): (Continuation | null)[] {
  return runNow(proposeAllSteps(seg, proposer));
}

/** {@link proposeAll} as steps (one per position). */
function* proposeAllSteps(seg: Segment, proposer: Proposer): Steps<(Continuation | null)[]> {
  proposer.open(seg);
  yield;
  const out: (Continuation | null)[] = new Array(seg.end - seg.start).fill(null);
  for (let i = seg.start; i < seg.end; i++) {
    if (!isAutoIndent(seg.text, i)) out[i - seg.start] = proposer.propose(seg, seg.text.slice(0, i));
    yield;
  }
  return out;
}

/** One simulated user at one threshold over a segment, with continuations from {@link proposeAll}. */
export function simulatePerson(seg: Segment, at: (Continuation | null)[], threshold: number, readCost: number, run?: PersonRun): PersonRun {
  run ??= { threshold, readCost, baseline: 0, keys: 0, readChars: 0, suggestions: [] };
  const text = seg.text.slice(0, seg.end);
  for (let i = seg.start; i < seg.end; i++) if (!isAutoIndent(text, i)) run.baseline++;
  let i = seg.start;
  while (i < text.length) {
    if (isAutoIndent(text, i)) {
      i++;
      continue;
    }
    const c = at[i - seg.start];
    const s = c ? shownText(c, threshold, text.slice(text.lastIndexOf('\n', i - 1) + 1, i), seg.languageId) : { text: '', confidence: 0 };
    if (!s.text) {
      run.keys++;
      i++;
      continue;
    }
    const right = commonPrefix(s.text, text, i);
    run.suggestions.push({ at: i, shown: s.text.length, right, confidence: s.confidence });
    run.readChars += s.text.length;
    if (right === s.text.length) {
      run.keys++; // Tab
      i += right;
      continue;
    }
    const w = longestWordPrefix(s.text, text.slice(i, i + s.text.length));
    const steps = wordSteps(s.text.slice(0, w));
    let j = 0;
    if (w > steps) {
      run.keys += steps;
      i += w;
      j = w;
    }
    // Typing what the suggestion still shows keeps it on screen; the first character it got wrong dismisses it.
    while (j < s.text.length && i < text.length && text[i] === s.text[j]) {
      run.keys++;
      i++;
      j++;
    }
    if (i < text.length) {
      if (!isAutoIndent(text, i)) run.keys++;
      i++;
    }
  }
  return run;
}

export function figures(r: PersonRun): PersonFigures {
  let shown = 0;
  let right = 0;
  let full = 0;
  for (const s of r.suggestions) {
    shown += s.shown;
    right += s.right;
    if (s.right === s.shown) full++;
  }
  const n = r.suggestions.length;
  return {
    threshold: r.threshold, suggestions: n, charsShown: shown, charsRight: right,
    precision: shown ? right / shown : 0,
    recall: r.baseline ? right / r.baseline : 0,
    fullAcceptRate: n ? full / n : 0,
    keystrokesSaved: r.baseline ? 1 - (r.keys + r.readCost * r.readChars) / r.baseline : 0,
    meanShown: n ? shown / n : 0,
  };
}

/** Predicted vs observed rate of "this suggestion is all right", in bins of the prediction. */
export function reliability(records: SuggestionRecord[], edges = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001]): ReliabilityRow[] {
  const rows: ReliabilityRow[] = [];
  for (let b = 0; b + 1 < edges.length; b++) {
    const inBin = records.filter((s) => s.confidence >= edges[b]! && s.confidence < edges[b + 1]!);
    if (inBin.length === 0) continue;
    rows.push({
      from: edges[b]!, to: Math.min(1, edges[b + 1]!), suggestions: inBin.length,
      predicted: inBin.reduce((a, s) => a + s.confidence, 0) / inBin.length,
      observed: inBin.filter((s) => s.right === s.shown).length / inBin.length,
    });
  }
  return rows;
}

/**
 * What reading one character of ghost text costs the simulated user, in keystrokes: reading runs at about five
 * times typing speed (some 250 words a minute against 50), so a fifth of a keystroke.
 */
export const DEFAULT_READ_COST = 0.2;

/** Thresholds of the precision/recall curve. */
export const CURVE_THRESHOLDS = [0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

export interface SuggestionReport extends PersonFigures {
  readCost: number;
  reliability: ReliabilityRow[];
  curve: PersonFigures[];
}

/**
 * The figures at `threshold` over all segments, the reliability table there, and the curve over `curveThresholds`
 * (none: no curve; the proposer may then stop generating below `threshold`).
 */
export function suggestionReport(
  segments: Segment[], proposer: Proposer, threshold: number, readCost: number, curveThresholds: readonly number[] = CURVE_THRESHOLDS,
): SuggestionReport {
  return runNow(suggestionReportSteps(segments, proposer, threshold, readCost, curveThresholds));
}

/** {@link suggestionReport} as steps (one per position typed). */
export function* suggestionReportSteps(
  segments: Segment[], proposer: Proposer, threshold: number, readCost: number, curveThresholds: readonly number[] = CURVE_THRESHOLDS,
): Steps<SuggestionReport> {
  const at: (Continuation | null)[][] = [];
  for (const seg of segments) at.push(yield* proposeAllSteps(seg, proposer));
  const runAt = (t: number): PersonRun => {
    const run: PersonRun = { threshold: t, readCost, baseline: 0, keys: 0, readChars: 0, suggestions: [] };
    segments.forEach((seg, k) => simulatePerson(seg, at[k]!, t, readCost, run));
    return run;
  };
  const main = runAt(threshold);
  const curve = curveThresholds.length === 0 ? [] : [...new Set([...curveThresholds, threshold])].sort((a, b) => a - b).map((t) => figures(t === threshold ? main : runAt(t)));
  return { ...figures(main), readCost, reliability: reliability(main.suggestions), curve };
}

const LANGUAGES: Record<string, string> = {
  '.ts': 'typescript', '.tsx': 'typescriptreact', '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript',
  '.jsx': 'javascriptreact', '.py': 'python', '.md': 'markdown', '.txt': 'plaintext', '.json': 'json', '.c': 'c',
  '.h': 'c', '.rs': 'rust', '.go': 'go', '.java': 'java', '.sh': 'shellscript',
};

/** VS Code's language id of a file name (by extension; plain text when unknown). */
export function languageOf(file: string): string {
  const m = /(\.[A-Za-z0-9]+)$/.exec(file);
  return (m && LANGUAGES[m[1]!.toLowerCase()]) ?? 'plaintext';
}

/**
 * The held-out text a simulated user types: from each file in turn, about `total ÷ files` characters (at least
 * `minPerFile`; whole lines)
 * from the start of the line at its middle (from its start when it is short), until `total` characters. A
 * person edits files in the middle more often than they write their licence header.
 */
export function typedSegments(files: { path: string; text: string }[], total: number, minPerFile = 800): Segment[] {
  const out: Segment[] = [];
  // Few files: longer stretches of each.
  const perFile = Math.max(minPerFile, Math.ceil(total / Math.max(1, files.length)));
  let n = 0;
  for (const f of files) {
    if (n >= total) break;
    const t = f.text;
    let start = t.length > 2 * perFile ? t.lastIndexOf('\n', Math.floor(t.length / 2)) + 1 : 0;
    if (start < 0) start = 0;
    let end = Math.min(t.length, start + Math.min(perFile, total - n));
    const nl = t.indexOf('\n', end);
    end = nl < 0 ? t.length : Math.min(t.length, nl + 1);
    if (end <= start) continue;
    out.push({ doc: f.path, languageId: languageOf(f.path), text: t.slice(0, end), start, end });
    n += end - start;
  }
  return out;
}

/** What was shown at one position and what really followed there (to the end of the line). */
export interface ShownAt {
  shown: string;
  real: string;
}

export interface ShownFigures {
  positions: number;
  suggestions: number;
  charsShown: number;
  charsRight: number;
  /** Characters that really followed at the positions (the most a suggestion there could have got right). */
  charsReal: number;
  /** right ÷ shown; right ÷ real; the share of suggestions that were right in full. */
  precision: number;
  recall: number;
  fullAcceptRate: number;
}

/**
 * Precision and recall of the suggestions shown at given positions (the end-to-end test's: after the first
 * characters of each held-out line), each scored by its longest correct prefix, as {@link figures} scores them.
 */
export function shownFigures(at: ShownAt[]): ShownFigures {
  let shown = 0;
  let right = 0;
  let real = 0;
  let suggestions = 0;
  let full = 0;
  for (const a of at) {
    real += a.real.length;
    if (!a.shown) continue;
    suggestions++;
    const r = commonPrefix(a.shown, a.real, 0);
    shown += a.shown.length;
    right += r;
    if (r === a.shown.length) full++;
  }
  return {
    positions: at.length, suggestions, charsShown: shown, charsRight: right, charsReal: real,
    precision: shown ? right / shown : 0, recall: real ? right / real : 0, fullAcceptRate: suggestions ? full / suggestions : 0,
  };
}
