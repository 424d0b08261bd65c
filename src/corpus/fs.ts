/**
 * The corpus's view of a file system: list a folder, read a file within limits, stat a root. `nodeCorpusFs` is
 * Node's (no links followed, no FIFO blocked on: see read.ts); `platformCorpusFs` adapts a {@link PlatformFs} (the
 * browser's `workspace.fs`), where the same limits are applied from the file's size. The rules (globs,
 * `.gitignore`, secrets, binary and minified files) are the same on every platform: they run on what these return.
 */
import type { Dirent } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { fsErrorCode, type FsEntryKind, type PlatformFs } from '../shared/platform';
import { EXCLUDED_DIRS } from './defaults';
import { readFileBounded, type ReadResult } from './read';

export interface CorpusFs {
  /** Rejects with a Node-style `code` (ENOENT, ENOTDIR, EACCES...). */
  readdir(abs: string): Promise<{ name: string; kind: FsEntryKind }[]>;
  /** Never rejects: see {@link readFileBounded}. */
  readBounded(abs: string, maxBytes: number, skipAbove: number): Promise<ReadResult>;
  /** Rejects with a Node-style `code`. */
  isDirectory(abs: string): Promise<boolean>;
}

function kindOf(entry: Dirent): FsEntryKind {
  if (entry.isDirectory()) return 'dir';
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.isFile()) return 'file';
  return 'other';
}

export const nodeCorpusFs: CorpusFs = {
  readdir: async (abs) => (await fsp.readdir(abs, { withFileTypes: true })).map((e) => ({ name: e.name, kind: kindOf(e) })),
  readBounded: readFileBounded,
  isDirectory: async (abs) => (await fsp.stat(abs)).isDirectory(),
};

/**
 * A {@link CorpusFs} over a {@link PlatformFs}. When the platform has a fast listing (`listFiles`, the browser's
 * `findFiles`), folders under a root it listed are answered from that listing (entries kept in the same order as a
 * walk would visit them); otherwise, and for roots it could not list, each folder is read with `readDirectory`.
 */
export function platformCorpusFs(fs: PlatformFs): CorpusFs & { prepare(roots: readonly string[], maxFiles: number): Promise<void> } {
  /** Folder (absolute) → its entries, from the listings. */
  const listed = new Map<string, Map<string, FsEntryKind>>();
  const listedRoots: string[] = [];
  const under = (abs: string) => listedRoots.some((r) => abs === r || abs.startsWith(`${r}/`));
  const failure = (reason: 'vanished' | 'unreadable', detail: string): ReadResult => ({ kind: 'failed', reason, detail });
  return {
    async prepare(roots, maxFiles) {
      if (!fs.listFiles) return;
      for (const root of roots) {
        const files = await fs.listFiles(root, maxFiles, [...EXCLUDED_DIRS]).catch(() => undefined);
        if (!files) continue;
        listedRoots.push(root);
        const dir = (p: string) => {
          let m = listed.get(p);
          if (!m) listed.set(p, (m = new Map()));
          return m;
        };
        dir(root);
        for (const rel of files) {
          const parts = rel.split('/').filter((s) => s !== '');
          let at = root;
          parts.forEach((name, i) => {
            dir(at).set(name, i === parts.length - 1 ? 'file' : 'dir');
            at = `${at}/${name}`;
          });
        }
      }
    },
    async readdir(abs) {
      if (under(abs)) {
        const m = listed.get(abs);
        if (!m) throw Object.assign(new Error(`not listed: ${abs}`), { code: 'ENOENT' });
        return [...m].map(([name, kind]) => ({ name, kind }));
      }
      return fs.readDirectory(abs);
    },
    async readBounded(abs, maxBytes, skipAbove) {
      let size: number;
      try {
        const st = await fs.stat(abs);
        if (st.kind !== 'file') return failure('vanished', 'no longer a regular file');
        size = st.size;
      } catch (e) {
        const code = fsErrorCode(e);
        return failure(code === 'ENOENT' || code === 'ENOTDIR' ? 'vanished' : 'unreadable', code);
      }
      if (size > maxBytes) return { kind: 'too-large', size };
      if (size > skipAbove) return { kind: 'over-budget', size };
      let bytes: Uint8Array;
      try {
        bytes = await fs.readFile(abs);
      } catch (e) {
        const code = fsErrorCode(e);
        return failure(code === 'ENOENT' || code === 'ENOTDIR' ? 'vanished' : 'unreadable', code);
      }
      if (bytes.length > maxBytes) return { kind: 'too-large', size: bytes.length };
      if (bytes.length > skipAbove) return { kind: 'over-budget', size: bytes.length };
      return { kind: 'ok', bytes };
    },
    isDirectory: async (abs) => (await fs.stat(abs)).kind === 'dir',
  };
}

/** UTF-8 text of bytes (a `.gitignore`, `.git/info/exclude`). */
export function utf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** Length in UTF-8 bytes of a string. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}
