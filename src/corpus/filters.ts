/**
 * Decisions made from an entry's name and path alone, before anything is opened. The first rule that applies
 * gives the reason:
 *
 * - directories: built-in directory names → `'excluded'`; `.gitignore` → `'ignored'`; `exclude` globs →
 *   `'excluded'`; otherwise entered.
 * - symbolic links (to anything; git also treats them as files): named like a built-in directory →
 *   `'excluded'`; `.gitignore` → `'ignored'`; `exclude` globs → `'excluded'`; otherwise `'symlink'`.
 * - files: `.gitignore` → `'ignored'`; `exclude` globs → `'excluded'`; no `include` glob matches →
 *   `'excluded'`; secret-holding name (when `excludeSecrets`) → `'secret'`; lock file, source map or `.min.*`
 *   → `'generated'`; binary extension → `'binary'`; a FIFO, socket or device → `'unreadable'`.
 */
import picomatch from 'picomatch';
import { BINARY_EXTENSIONS, EXCLUDED_DIRS, GENERATED_FILE_GLOBS, GENERATED_FILE_NAMES } from './defaults';
import { testIgnored, type IgnoreLevel } from './gitignore';
import { isSecretFileName } from './secrets';
import type { SkipReason } from './types';

export type EntryKind = 'dir' | 'file' | 'symlink' | 'other';

export interface NameRules {
  /** Matches user `exclude` globs against root-relative paths; `undefined` when there are none. */
  readonly excluded: ((path: string) => boolean) | undefined;
  /** Matches `include` globs against root-relative paths. */
  readonly included: (path: string) => boolean;
  readonly excludeSecrets: boolean;
}

export function makeNameRules(include: readonly string[], exclude: readonly string[], excludeSecrets: boolean): NameRules {
  return {
    excluded: exclude.length > 0 ? picomatch(exclude as string[], { dot: true }) : undefined,
    included: picomatch(include as string[], { dot: true }),
    excludeSecrets,
  };
}

const isGeneratedGlob = picomatch(GENERATED_FILE_GLOBS as string[], { dot: true, nocase: true });

export interface Verdict {
  reason: SkipReason;
  detail?: string;
}

/**
 * Judges one directory entry by name. `path` is posix and relative to the root; `levels` are the ignore
 * levels usable in its parent directory (empty when `.gitignore` is not respected).
 * @returns a skip verdict, or `undefined` when a directory should be entered or a file read.
 */
export function judgeByName(
  rules: NameRules,
  levels: readonly IgnoreLevel[],
  path: string,
  name: string,
  kind: EntryKind,
): Verdict | undefined {
  if ((kind === 'dir' || kind === 'symlink') && EXCLUDED_DIRS.has(name)) {
    return { reason: 'excluded', detail: `built-in: ${name}/` };
  }
  const ignoredBy = levels.length > 0 ? testIgnored(levels, path, kind === 'dir') : undefined;
  if (ignoredBy !== undefined) return { reason: 'ignored', detail: ignoredBy };
  if (rules.excluded?.(path)) return { reason: 'excluded', detail: 'exclude option' };
  if (kind === 'dir') return undefined;
  if (kind === 'symlink') return { reason: 'symlink', detail: 'links are not followed' };
  if (!rules.included(path)) return { reason: 'excluded', detail: 'no include glob matches' };
  if (rules.excludeSecrets && isSecretFileName(name)) return { reason: 'secret', detail: 'file name' };
  if (GENERATED_FILE_NAMES.has(name) || isGeneratedGlob(name)) return { reason: 'generated', detail: 'file name' };
  const dot = name.lastIndexOf('.');
  if (dot > 0 && BINARY_EXTENSIONS.has(name.slice(dot + 1).toLowerCase())) {
    return { reason: 'binary', detail: 'extension' };
  }
  if (kind === 'other') return { reason: 'unreadable', detail: 'not a regular file' };
  return undefined;
}
