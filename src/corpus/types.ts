/**
 * Public types of the corpus collector. Pure data: no Node or `vscode` imports.
 */
import type { PlatformFs } from '../shared/platform';

/** Options for {@link collectCorpus}. Every field is optional; defaults are listed with `@default`. */
export interface CorpusOptions {
  /**
   * Globs (picomatch, `dot: true`), relative to each root, that a file must match to be read.
   * `*.ts` matches only top-level files; use `**\/*.ts` for every depth. Directories are always descended
   * unless excluded; files that match no include glob are skipped as `'excluded'`.
   * @default ['**\/*']
   */
  include?: string[];
  /**
   * Extra globs (picomatch, `dot: true`), relative to each root, added to the built-in defaults
   * (see `defaults.ts`). A glob matching a directory (`docs`, `docs/**`) prunes the whole directory.
   * @default []
   */
  exclude?: string[];
  /**
   * Apply `.gitignore` files at every level (each relative to its own directory, deeper files taking
   * precedence) plus `<root>/.git/info/exclude`. Global git excludes and `.gitignore` files above a root are
   * not read (nothing outside the roots is touched).
   * @default true
   */
  respectGitignore?: boolean;
  /**
   * Files larger than this many bytes are skipped as `'too-large'`; at most their first 16 KiB is ever read
   * (one read serves small files whole; larger ones are measured with `fstat` before reading on).
   * @default 1_048_576 (1 MiB)
   */
  maxFileBytes?: number;
  /**
   * Cap on the bytes (as stored on disk) of all kept files together. When the tree holds more, files are
   * considered in the order of a seeded hash of root and path and kept while they fit; the rest are reported
   * `'over-cap'` and `truncated` is set. Files that cannot fit are measured, not loaded: at most their first
   * 16 KiB is read, then dropped.
   * @default 16_777_216 (16 MiB)
   */
  maxTotalBytes?: number;
  /**
   * Bound on directory entries (files, directories, links) visited per call, so a huge tree cannot hang the
   * scan. When reached the walk stops and `truncated` is set; unvisited entries are not reported.
   * @default 200_000
   */
  maxFiles?: number;
  /**
   * Never read files whose names commonly hold secrets (reported `'secret'`), and mask secret-looking tokens
   * inside kept text with {@link SECRET_PLACEHOLDER} (see `secrets.ts` for the exact rules).
   * @default true
   */
  excludeSecrets?: boolean;
  /**
   * Seed of the hash that orders files for the `maxTotalBytes` sample. Same tree + options → same sample.
   * @default 0
   */
  seed?: number;
  /** Aborting rejects the promise with an `AbortError` (see `abort.ts`) at the next file-system step. */
  signal?: AbortSignal;
  /**
   * Per-root `include` / `exclude` in place of the ones above, for the roots listed (matched by absolute path):
   * a multi-root workspace's folders may each set their own. Roots not listed use `include` / `exclude`.
   * @default []
   */
  folders?: { root: string; include?: string[]; exclude?: string[] }[];
  /**
   * Where the files are read: Node's file system by default; in the browser, `vscode.workspace.fs` behind a
   * {@link PlatformFs} (posix paths). Every rule above applies the same way.
   */
  fs?: PlatformFs;
}

/** One kept file. */
export interface CorpusFile {
  /** Absolute path of the root this file was found under, exactly as reported in `CorpusReport.roots`. */
  root: string;
  /** Path relative to `root`, with `/` separators on every platform. */
  path: string;
  /** The file's text: UTF-8 decoded, BOM stripped, CRLF and lone CR turned into LF, secrets masked. */
  text: string;
  /** Size in bytes of the file as read from disk (before decoding or normalisation). */
  bytes: number;
}

/**
 * Why a file (or a directory, whose path then ends with `/`) was not kept:
 *
 * - `ignored`: matched by a `.gitignore` or `.git/info/exclude` rule (detail: `source: pattern`).
 * - `excluded`: a built-in excluded directory (`node_modules/`, `.git/`, `dist/`, …), an `exclude` glob, or no
 *   `include` glob matches.
 * - `generated`: machine-written by name (lock files, source maps, `*.min.js`/`*.min.css`) or content (Go's
 *   `// Code generated … DO NOT EDIT.`).
 * - `binary`: a binary extension (images, archives, fonts, media, executables, `.wasm`, `.pdf`, …) or a NUL
 *   byte in the first 8 KiB.
 * - `not-utf8`: bytes that are not valid UTF-8, or a UTF-16 byte-order mark.
 * - `minified`: very long lines with little whitespace (see `classify.ts`).
 * - `too-large`: larger than `maxFileBytes`.
 * - `over-cap`: did not fit in `maxTotalBytes` (left out of the sample).
 * - `secret`: a name that commonly holds secrets (`.env`, `*.pem`, `id_rsa`, …); never opened.
 * - `symlink`: a symbolic link; links are never followed (no loops, nothing outside the root).
 * - `unreadable`: a permission or I/O error (detail: the error code), or not a regular file (FIFO, socket,
 *   device).
 * - `vanished`: deleted or replaced between listing and reading (detail: `ENOENT`, `ENOTDIR`, `EISDIR`, …).
 */
export type SkipReason =
  | 'ignored'
  | 'excluded'
  | 'binary'
  | 'not-utf8'
  | 'minified'
  | 'generated'
  | 'too-large'
  | 'over-cap'
  | 'secret'
  | 'symlink'
  | 'unreadable'
  | 'vanished';

/** Every {@link SkipReason}, in the order reports list them. */
export const SKIP_REASONS: readonly SkipReason[] = [
  'ignored',
  'excluded',
  'generated',
  'binary',
  'not-utf8',
  'minified',
  'too-large',
  'over-cap',
  'secret',
  'symlink',
  'unreadable',
  'vanished',
];

export interface SkippedFile {
  /** Absolute path of the root the entry was found under (tells multi-root entries apart). */
  root: string;
  /** Path relative to `root`, `/`-separated; directories end with `/`. */
  path: string;
  reason: SkipReason;
  /** Human detail: the matching rule or pattern, an error code, a measured figure. */
  detail?: string;
}

export interface CorpusReport {
  /** The roots as absolute paths, deduplicated, in the order given. */
  roots: string[];
  /** Kept files, sorted by root (in `roots` order) then by path (UTF-16 code-unit order). */
  files: CorpusFile[];
  /** Sum of `text.length` (UTF-16 code units) over `files`. */
  totalChars: number;
  /** Sum of `bytes` over `files`. */
  totalBytes: number;
  /**
   * A bounded sample of skipped entries: the first {@link MAX_SKIPPED_PER_REASON} of each reason, in the
   * order they were met (deterministic).
   */
  skipped: SkippedFile[];
  /** Complete counts of skipped entries by reason (every reason present, zero when none). */
  skippedCounts: Record<SkipReason, number>;
  /** Number of secret-looking tokens masked inside kept files. */
  maskedSecrets: number;
  /** True when `maxTotalBytes` or `maxFiles` was reached. */
  truncated: boolean;
}

/** At most this many entries of each reason are listed in `CorpusReport.skipped`. */
export const MAX_SKIPPED_PER_REASON = 50;
