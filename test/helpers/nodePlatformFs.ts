/**
 * A PlatformFs over Node's fs, for running the browser's code paths (the corpus and the model format through a
 * PlatformFs, the in-process compute channel) in Node tests and benches. Semantics as the browser's workspace.fs
 * implementation (src/web/workspaceFs.ts): Node-style error codes, recursive delete that ignores a missing path,
 * mkdir -p, rename without overwrite.
 */
import { promises as fs } from 'node:fs';
import type { FsEntryKind, PlatformFs } from '../../src/shared/platform';

function kind(st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): FsEntryKind {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  return 'other';
}

export function nodePlatformFs(opts: { listFiles?: PlatformFs['listFiles'] } = {}): PlatformFs & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const count = (op: string) => { calls[op] = (calls[op] ?? 0) + 1; };
  return {
    calls,
    async stat(p) {
      count('stat');
      const st = await fs.stat(p);
      return { kind: kind(st), size: st.size };
    },
    async readDirectory(p) {
      count('readDirectory');
      return (await fs.readdir(p, { withFileTypes: true })).map((e) => ({ name: e.name, kind: kind(e) }));
    },
    async readFile(p) {
      count('readFile');
      return new Uint8Array(await fs.readFile(p));
    },
    async writeFile(p, data) {
      count('writeFile');
      await fs.writeFile(p, data);
    },
    async createDirectory(p) {
      count('createDirectory');
      await fs.mkdir(p, { recursive: true });
    },
    async rename(from, to) {
      count('rename');
      if (await fs.stat(to).then(() => true, () => false)) throw Object.assign(new Error(`${to} exists`), { code: 'EEXIST' });
      await fs.rename(from, to);
    },
    async delete(p) {
      count('delete');
      await fs.rm(p, { recursive: true, force: true });
    },
    listFiles: opts.listFiles,
  };
}
