/**
 * Git ignore rules for one root, built on the `ignore` package (which implements the pattern syntax).
 * This file only adds what git does across files: every `.gitignore` applies to paths relative to its own
 * directory, a deeper file takes precedence over a shallower one, and `.git/info/exclude` ranks below all of
 * them. Directories that are ignored are never entered, so "a file cannot be re-included if its parent
 * directory is excluded" holds by construction.
 *
 * One approximation: when a shallower `.gitignore` excludes a directory that a deeper one re-includes, the
 * entries inside that directory are judged by the deeper files only (the `ignore` package cannot test a path
 * without its parent directories).
 */
import ignore, { type Ignore } from 'ignore';

/** The rules of one ignore file, linked to the rules of the directories above it. */
export interface IgnoreLevel {
  /** Directory the rules are relative to: posix, relative to the root, `''` for the root itself. */
  readonly dir: string;
  /** Where the rules came from, relative to the root (for report details). */
  readonly source: string;
  readonly rules: Ignore;
  readonly parent: IgnoreLevel | undefined;
}

/** Git treats names case-insensitively where the file system usually does. */
const IGNORE_CASE = process.platform === 'win32' || process.platform === 'darwin';

/** Returns a level for `text` (the content of an ignore file) on top of `parent`; `parent` if it has no rules. */
export function addIgnoreLevel(
  parent: IgnoreLevel | undefined,
  dir: string,
  source: string,
  text: string,
): IgnoreLevel | undefined {
  const lines = text.split(/\r?\n/);
  if (!lines.some((l) => l.trim() !== '' && !l.startsWith('#'))) return parent;
  const rules = ignore({ ignorecase: IGNORE_CASE }).add(lines);
  return { dir, source, rules, parent };
}

/** `path` relative to `dir` (both posix, relative to the root; `path` lies inside `dir`). */
function relativeTo(dir: string, path: string): string {
  return dir === '' ? path : path.slice(dir.length + 1);
}

/**
 * The levels that can judge the entries of directory `dir` (deepest first): those by which `dir` itself is
 * not ignored. Compute once per directory, then pass to {@link testIgnored} for each entry.
 */
export function levelsFor(chain: IgnoreLevel | undefined, dir: string): IgnoreLevel[] {
  const usable: IgnoreLevel[] = [];
  for (let level = chain; level; level = level.parent) {
    if (level.dir === dir || !safeTest(level.rules, `${relativeTo(level.dir, dir)}/`).ignored) usable.push(level);
  }
  return usable;
}

/**
 * Whether the entry at `path` (posix, relative to the root; a child of the directory `levels` were computed
 * for) is ignored. The deepest level with a matching rule decides; a negated rule (`!pattern`) re-includes.
 * @returns the deciding `source: pattern` when ignored, else `undefined`.
 */
export function testIgnored(levels: readonly IgnoreLevel[], path: string, isDir: boolean): string | undefined {
  for (const level of levels) {
    const rel = relativeTo(level.dir, path);
    const result = safeTest(level.rules, isDir ? `${rel}/` : rel);
    if (result.ignored) return `${level.source}: ${result.rule?.pattern ?? '?'}`;
    if (result.unignored) return undefined;
  }
  return undefined;
}

/** `ignore` throws on paths it considers invalid (for example names with a backslash on Windows); treat as no match. */
function safeTest(rules: Ignore, path: string): { ignored: boolean; unignored: boolean; rule?: { pattern: string } } {
  try {
    return rules.test(path);
  } catch {
    return { ignored: false, unignored: false };
  }
}
