/**
 * Breadth-first listing of one or more roots. Directories are read at most `IO_CONCURRENCY` at a time but
 * committed in queue order, and entries are sorted by name, so the visit order — and with it which entries
 * fall within `maxEntries` — is the same on every run. Nothing is followed through a symbolic link, which also
 * rules out loops.
 */
import * as nodePath from 'node:path';
import { fsErrorCode } from '../shared/platform';
import { utf8, type CorpusFs } from './fs';
import { IO_CONCURRENCY } from './defaults';
import { judgeByName, type EntryKind, type NameRules, type Verdict } from './filters';
import { addIgnoreLevel, levelsFor, type IgnoreLevel } from './gitignore';
import { compareCodeUnits } from './hash';
import { runOrdered } from './pool';

/** A root to walk. `base` holds rules that apply below every `.gitignore` (`.git/info/exclude`). */
export interface WalkRoot {
  readonly index: number;
  readonly abs: string;
  readonly base: IgnoreLevel | undefined;
  /** This root's own name rules (a folder's own include/exclude), in place of {@link WalkOptions.rules}. */
  readonly rules?: NameRules;
}

/** A file that passed every name-based rule: to be opened and read. */
export interface Candidate {
  readonly root: WalkRoot;
  /** Posix, relative to the root. */
  readonly path: string;
  readonly abs: string;
}

export interface WalkOptions {
  readonly rules: NameRules;
  readonly respectGitignore: boolean;
  /** Stop after visiting this many directory entries (of any kind, over all roots). */
  readonly maxEntries: number;
  readonly signal: AbortSignal | undefined;
  /** Called for every entry not kept, in visit order. Directory paths end with `/`. */
  readonly skip: (root: WalkRoot, path: string, verdict: Verdict) => void;
  /** Where the folders are read (Node's file system, or the browser's `workspace.fs`). */
  readonly fs: CorpusFs;
}

export interface WalkResult {
  /** Candidates in visit order. */
  readonly candidates: Candidate[];
  /** True when `maxEntries` stopped the walk. */
  readonly truncated: boolean;
}

interface DirJob {
  readonly root: WalkRoot;
  /** Posix, relative to the root; `''` for the root. */
  readonly dir: string;
  readonly abs: string;
  readonly chain: IgnoreLevel | undefined;
}

type DirListing =
  | { ok: true; entries: { name: string; kind: EntryKind }[]; gitignore: string | undefined }
  | { ok: false; code: string };

/** Largest `.gitignore` read; a bigger one is treated as empty. */
const MAX_GITIGNORE_BYTES = 1024 * 1024;

async function listDir(fs: CorpusFs, job: DirJob, respectGitignore: boolean, signal: AbortSignal | undefined): Promise<DirListing> {
  if (signal?.aborted) return { ok: false, code: 'ABORT_ERR' };
  try {
    const entries = await fs.readdir(job.abs);
    let gitignore: string | undefined;
    if (respectGitignore && entries.some((e) => e.name === '.gitignore' && e.kind === 'file')) {
      const read = await fs.readBounded(nodePath.join(job.abs, '.gitignore'), MAX_GITIGNORE_BYTES, Infinity);
      if (read.kind === 'ok') gitignore = utf8(read.bytes);
    }
    return { ok: true, entries, gitignore };
  } catch (error) {
    return { ok: false, code: fsErrorCode(error) };
  }
}

/**
 * Lists every root and returns the files to read.
 * @throws Error naming the root when a root directory itself cannot be listed.
 */
export async function walk(roots: readonly WalkRoot[], options: WalkOptions): Promise<WalkResult> {
  const { rules, respectGitignore, maxEntries, signal, skip, fs } = options;
  const rootPaths = new Set(roots.map((r) => r.abs));
  const queue: DirJob[] = roots.map((root) => ({ root, dir: '', abs: root.abs, chain: root.base }));
  const candidates: Candidate[] = [];
  let visited = 0;
  let truncated = false;

  await runOrdered(
    queue,
    IO_CONCURRENCY,
    (job) => listDir(fs, job, respectGitignore, signal),
    (listing, job) => {
      if (!listing.ok) {
        if (job.dir === '') throw new Error(`Cannot read corpus root ${job.abs}: ${listing.code}`);
        const reason = listing.code === 'ENOENT' || listing.code === 'ENOTDIR' ? 'vanished' : 'unreadable';
        skip(job.root, `${job.dir}/`, { reason, detail: listing.code });
        return;
      }
      const chain =
        listing.gitignore === undefined
          ? job.chain
          : addIgnoreLevel(job.chain, job.dir, job.dir === '' ? '.gitignore' : `${job.dir}/.gitignore`, listing.gitignore);
      const levels = respectGitignore ? levelsFor(chain, job.dir) : [];
      const entries = listing.entries.sort((a, b) => compareCodeUnits(a.name, b.name));
      for (const entry of entries) {
        if (++visited > maxEntries) {
          truncated = true;
          return 'stop';
        }
        const kind = entry.kind;
        const path = job.dir === '' ? entry.name : `${job.dir}/${entry.name}`;
        const abs = nodePath.join(job.abs, entry.name);
        // A nested workspace folder is collected under its own root, not twice.
        if (kind === 'dir' && rootPaths.has(abs)) continue;
        const verdict = judgeByName(job.root.rules ?? rules, levels, path, entry.name, kind);
        if (verdict) skip(job.root, kind === 'dir' ? `${path}/` : path, verdict);
        else if (kind === 'dir') queue.push({ root: job.root, dir: path, abs, chain });
        else candidates.push({ root: job.root, path, abs });
      }
      return undefined;
    },
    signal,
  );
  return { candidates, truncated };
}
