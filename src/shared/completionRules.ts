/**
 * Pure rules of when and what to suggest: no suggestion where code already follows the cursor, a heuristic
 * for comments and strings, and trimming a raw model continuation to what the editor should show.
 */

/** Characters that may follow the cursor without blocking a suggestion (closers the editor auto-inserted). */
const CLOSERS = /^[\s)\]}>'"`;,.:]*$/;

/** True when the rest of the line after the cursor is empty or only closing punctuation. */
export function lineEndIsFree(lineSuffix: string): boolean {
  return CLOSERS.test(lineSuffix);
}

const LINE_COMMENT: Record<string, string[]> = {
  python: ['#'], shellscript: ['#'], ruby: ['#'], perl: ['#'], r: ['#'], yaml: ['#'], toml: ['#'], makefile: ['#'],
  dockerfile: ['#'], powershell: ['#'], coffeescript: ['#'], elixir: ['#'], julia: ['#'],
  sql: ['--'], lua: ['--'], haskell: ['--'], ada: ['--'],
  bat: ['REM ', '::'], vb: ["'"], latex: ['%'], tex: ['%'], matlab: ['%'], erlang: ['%'], lisp: [';'], clojure: [';'],
};
const DEFAULT_LINE_COMMENT = ['//'];
const PROSE = new Set(['plaintext', 'markdown', 'latex', 'restructuredtext', 'asciidoc']);

/**
 * Whether the cursor (at the end of `linePrefix`) is inside a line comment or a string literal, judged from
 * the current line only (block comments and multi-line strings are not tracked). Prose files have neither.
 */
export function inCommentOrString(linePrefix: string, languageId: string): boolean {
  if (PROSE.has(languageId)) return false;
  const comments = LINE_COMMENT[languageId] ?? DEFAULT_LINE_COMMENT;
  let quote: string | null = null;
  for (let i = 0; i < linePrefix.length; i++) {
    const ch = linePrefix[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      quote = ch;
      continue;
    }
    if (comments.some((c) => linePrefix.startsWith(c, i))) return true;
    if (linePrefix.startsWith('/*', i) && !linePrefix.includes('*/', i + 2)) return true;
  }
  return quote !== null;
}

export interface TrimOptions {
  multiline: boolean;
  /** Indentation of the cursor's line (for multi-line suggestions: stop when the text dedents below it). */
  indent: string;
}

/**
 * Cuts a raw continuation to what is shown: up to the end of the line (or, multi-line, until a blank line or a
 * line indented less than the current one), without trailing white space. Returns '' when nothing useful is left.
 */
export function trimSuggestion(raw: string, opts: TrimOptions): string {
  let text = raw;
  if (!opts.multiline) {
    const nl = text.indexOf('\n');
    if (nl >= 0) text = text.slice(0, nl);
  } else {
    const lines = text.split('\n');
    const kept: string[] = [lines[0]!];
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.trim() === '') break;
      const indent = /^[ \t]*/.exec(line)![0];
      if (indent.length < opts.indent.length) break;
      kept.push(line);
    }
    // The last line may be cut mid-way by the length limit; keep it, it is still a prefix of what the model says.
    text = kept.join('\n');
  }
  text = text.replace(/[ \t]+$/g, '');
  return text.trim() === '' ? '' : text;
}

/** Leading white space of a line. */
export function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/** Words that code is made of in the languages Inkling sees most; a run of other words is prose. */
const KEYWORDS = new Set([
  'abstract', 'and', 'as', 'async', 'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'declare', 'def',
  'default', 'del', 'delete', 'do', 'elif', 'else', 'enum', 'export', 'extends', 'false', 'final', 'finally', 'fn', 'for',
  'from', 'func', 'function', 'get', 'global', 'if', 'implements', 'import', 'in', 'instanceof', 'interface', 'is', 'keyof',
  'lambda', 'let', 'module', 'namespace', 'new', 'nil', 'none', 'not', 'null', 'of', 'or', 'package', 'pass', 'private',
  'protected', 'pub', 'public', 'raise', 'readonly', 'return', 'set', 'static', 'struct', 'super', 'switch', 'this', 'throw',
  'true', 'try', 'type', 'typeof', 'undefined', 'unique', 'use', 'var', 'void', 'while', 'with', 'yield',
]);

/**
 * Where a suggestion made in code turns into prose (the n-gram and match models have read the workspace's
 * comments too, and would otherwise continue `import { ` with a sentence from a doc comment): the start of the
 * first run of four or more words separated by single spaces of which at least three are not keywords, or the
 * start of a comment. Returns the length to keep (all of it when there is no such run).
 */
export function codeOnlyLength(suggestion: string, languageId: string): number {
  if (PROSE.has(languageId)) return suggestion.length;
  const comments = LINE_COMMENT[languageId] ?? DEFAULT_LINE_COMMENT;
  let cut = suggestion.length;
  // A comment opened by the suggestion itself (outside a string).
  let quote: string | null = null;
  for (let i = 0; i < suggestion.length; i++) {
    const ch = suggestion[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (comments.some((c) => suggestion.startsWith(c, i)) || suggestion.startsWith('/*', i)) {
      cut = i;
      break;
    }
  }
  const run = /(?:[A-Za-z]+ ){3,}[A-Za-z]+/g;
  for (let m = run.exec(suggestion); m && m.index < cut; m = run.exec(suggestion)) {
    const words = m[0].split(' ');
    if (words.filter((w) => !KEYWORDS.has(w.toLowerCase())).length >= 3) {
      // Keep the first word: it may finish the identifier being typed.
      const keep = m.index + words[0]!.length;
      cut = Math.min(cut, keep);
      break;
    }
  }
  return cut;
}
