/**
 * `collectCorpus`: walk the roots, then read candidates in a seeded-hash order until the byte budget is
 * spent. Reading in hash order (rather than path order) makes the kept sample, when the budget runs out, an
 * unbiased and reproducible slice of the tree; memory stays bounded once the budget is met, because
 * files that cannot fit are only measured, never loaded.
 */
import * as nodePath from 'node:path';
import { fsErrorCode } from '../shared/platform';
import { nodeCorpusFs, platformCorpusFs, utf8, type CorpusFs } from './fs';
import { throwIfAborted } from './abort';
import { classifyContent } from './classify';
import {
  DEFAULT_INCLUDE,
  DEFAULT_MAX_FILES,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MAX_TOTAL_BYTES,
  IO_CONCURRENCY,
} from './defaults';
import { makeNameRules } from './filters';
import { addIgnoreLevel, type IgnoreLevel } from './gitignore';
import { compareCodeUnits, hash53 } from './hash';
import { runOrdered } from './pool';
import type { ReadResult } from './read';
import { maskSecrets } from './secrets';
import type { CorpusFile, CorpusOptions, CorpusReport } from './types';
import { ReportBuilder } from './report';
import { walk, type Candidate, type WalkRoot } from './walk';

/**
 * Collects the text of every eligible file under `roots` (a folder or the folders of a multi-root workspace).
 * Same tree + same options → same report, files in the same order. See {@link CorpusOptions} for the limits and
 * `types.ts` for what each skip reason means.
 *
 * @throws Error naming the root when a root does not exist, is not a directory, or cannot be listed.
 * @throws RangeError for a negative or non-numeric limit, TypeError for an invalid glob.
 * @throws AbortError (`name === 'AbortError'`) when `options.signal` fires.
 */
export async function collectCorpus(roots: string | string[], options: CorpusOptions = {}): Promise<CorpusReport> {
  const { signal } = options;
  throwIfAborted(signal);
  const maxFileBytes = limit('maxFileBytes', options.maxFileBytes, DEFAULT_MAX_FILE_BYTES);
  const maxTotalBytes = limit('maxTotalBytes', options.maxTotalBytes, DEFAULT_MAX_TOTAL_BYTES);
  const maxFiles = limit('maxFiles', options.maxFiles, DEFAULT_MAX_FILES);
  const respectGitignore = options.respectGitignore ?? true;
  const excludeSecrets = options.excludeSecrets ?? true;
  const seed = options.seed ?? 0;
  const rules = makeNameRules(
    globs('include', options.include ?? DEFAULT_INCLUDE),
    globs('exclude', options.exclude ?? []),
    excludeSecrets,
  );

  const platform = options.fs ? platformCorpusFs(options.fs) : undefined;
  const fs: CorpusFs = platform ?? nodeCorpusFs;
  const rootPaths = await resolveRoots(fs, roots);
  throwIfAborted(signal);
  // A platform with a fast listing (the browser's findFiles) lists each root at once; the rules below are the same.
  await platform?.prepare(rootPaths, maxFiles);
  throwIfAborted(signal);
  const walkRoots: WalkRoot[] = [];
  for (const [index, abs] of rootPaths.entries()) {
    const own = (options.folders ?? []).find((f) => nodePath.resolve(f.root) === abs);
    const rootRules = own && makeNameRules(
      globs('include', own.include ?? options.include ?? DEFAULT_INCLUDE),
      globs('exclude', own.exclude ?? options.exclude ?? []),
      excludeSecrets,
    );
    walkRoots.push({ index, abs, base: respectGitignore ? await readInfoExclude(abs, fs) : undefined, rules: rootRules });
  }

  const report = new ReportBuilder(rootPaths);
  const listing = await walk(walkRoots, {
    rules,
    respectGitignore,
    maxEntries: maxFiles,
    signal,
    fs,
    skip: (root, path, verdict) => report.skip(root.abs, path, verdict.reason, verdict.detail),
  });
  if (listing.truncated) report.truncated = true;

  const ordered = listing.candidates
    .map((candidate) => ({ candidate, key: hash53(`${candidate.root.abs}\0${candidate.path}`, seed) }))
    .sort((a, b) => a.key - b.key || compareCandidates(a.candidate, b.candidate));

  const kept: { candidate: Candidate; file: CorpusFile }[] = [];
  let remaining = maxTotalBytes;
  await runOrdered(
    ordered,
    IO_CONCURRENCY,
    // `remaining` only shrinks, so a file too big for it at launch is too big at commit: no need to load it.
    ({ candidate }) =>
      signal?.aborted
        ? Promise.resolve<ReadResult>({ kind: 'failed', reason: 'unreadable', detail: 'ABORT_ERR' })
        : fs.readBounded(candidate.abs, maxFileBytes, remaining),
    (result, { candidate }) => {
      const skip = (reason: Parameters<ReportBuilder['skip']>[2], detail: string): void =>
        report.skip(candidate.root.abs, candidate.path, reason, detail);
      switch (result.kind) {
        case 'failed':
          return skip(result.reason, result.detail);
        case 'too-large':
          return skip('too-large', `${result.size} bytes > maxFileBytes ${maxFileBytes}`);
        case 'over-budget':
          report.truncated = true;
          return skip('over-cap', `${result.size} bytes, ${remaining} left of maxTotalBytes`);
        case 'ok':
          break; // read: checked below
      }
      const size = result.bytes.length;
      if (size > remaining) {
        report.truncated = true;
        return skip('over-cap', `${size} bytes, ${remaining} left of maxTotalBytes`);
      }
      const verdict = classifyContent(result.bytes);
      if (verdict.kind === 'skip') return skip(verdict.reason, verdict.detail);
      let text = verdict.text;
      if (excludeSecrets) {
        const masked = maskSecrets(text);
        text = masked.text;
        report.maskedSecrets += masked.count;
      }
      remaining -= size;
      kept.push({ candidate, file: { root: candidate.root.abs, path: candidate.path, text, bytes: size } });
    },
    signal,
  );

  kept.sort((a, b) => compareCandidates(a.candidate, b.candidate));
  return report.build(kept.map((k) => k.file));
}

function compareCandidates(a: Candidate, b: Candidate): number {
  return a.root.index - b.root.index || compareCodeUnits(a.path, b.path);
}

function limit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new RangeError(`${name} must be a number >= 0, got ${String(value)}`);
  }
  return value;
}

function globs(name: string, patterns: readonly string[]): string[] {
  if (!Array.isArray(patterns) || patterns.some((p) => typeof p !== 'string' || p.trim() === '')) {
    throw new TypeError(`${name} must be an array of non-empty glob strings`);
  }
  // Globs are relative to each root; tolerate a leading './'.
  return patterns.map((p) => (p.startsWith('./') ? p.slice(2) : p));
}

/** Absolute, deduplicated roots, each checked to be an existing directory (a link to one is accepted). */
async function resolveRoots(fs: CorpusFs, roots: string | string[]): Promise<string[]> {
  const list = typeof roots === 'string' ? [roots] : roots;
  const resolved: string[] = [];
  for (const root of list) {
    if (typeof root !== 'string' || root === '') throw new TypeError('A corpus root must be a non-empty path');
    const abs = nodePath.resolve(root);
    let isDirectory: boolean;
    try {
      isDirectory = await fs.isDirectory(abs);
    } catch (error) {
      const code = fsErrorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new Error(`Corpus root does not exist: ${abs}`, { cause: error });
      }
      throw new Error(`Cannot access corpus root ${abs}: ${code}`, { cause: error });
    }
    if (!isDirectory) throw new Error(`Corpus root is not a directory: ${abs}`);
    if (!resolved.includes(abs)) resolved.push(abs);
  }
  return resolved;
}

export async function readInfoExclude(root: string, fs: CorpusFs = nodeCorpusFs): Promise<IgnoreLevel | undefined> {
  const read = await fs.readBounded(nodePath.join(root, '.git', 'info', 'exclude'), 1024 * 1024, Infinity);
  return read.kind === 'ok' ? addIgnoreLevel(undefined, '', '.git/info/exclude', utf8(read.bytes)) : undefined;
}
