/**
 * The browser's file system for the compute side: posix paths mapped onto `vscode.Uri`s and read and written with
 * `vscode.workspace.fs` (in VS Code for the Web there is no other way to reach the workspace or the extension's
 * storage). A workspace folder keeps its own path (`/abs/ws`, the Uri's path); the extension's storage (workspace
 * storage, or global storage with no folder open) is mounted at {@link STORAGE_ROOT}. Listings use
 * `workspace.findFiles` when it answers, else the corpus walks the folders with `readDirectory`.
 */
import * as vscode from 'vscode';
import type { HostPaths } from '../host/paths';
import { FsError, type FsEntryKind, type PlatformFs } from '../shared/platform';

/** Where the extension's storage appears to the compute side. */
export const STORAGE_ROOT = '/.inkling-storage';

/** How long `findFiles` may take before the folders are walked instead (it can hang with no search provider). */
const FIND_FILES_TIMEOUT_MS = 15_000;

interface Mount {
  /** Posix path prefix (no trailing slash). */
  prefix: string;
  base: vscode.Uri;
}

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

function sameRoot(a: vscode.Uri, b: vscode.Uri): boolean {
  return a.scheme === b.scheme && a.authority === b.authority;
}

/** The mapping between compute paths and Uris: the workspace folders (by their own path) and the storage. */
export class WebPaths implements HostPaths {
  constructor(private readonly storage: vscode.Uri) {}

  private mounts(): Mount[] {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => ({ prefix: f.uri.path.replace(/\/+$/, '') || '/', base: f.uri }));
    // Longest prefix first, so a nested folder wins over its parent.
    return [{ prefix: STORAGE_ROOT, base: this.storage }, ...folders.sort((a, b) => b.prefix.length - a.prefix.length)];
  }

  pathOf(uri: vscode.Uri): string | undefined {
    const s = this.storage;
    if (sameRoot(uri, s) && under(uri.path, s.path)) return STORAGE_ROOT + uri.path.slice(s.path.replace(/\/+$/, '').length);
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      if (sameRoot(uri, f.uri) && under(uri.path, f.uri.path)) return uri.path;
    }
    return undefined;
  }

  uriOf(path: string): vscode.Uri {
    for (const m of this.mounts()) {
      if (m.prefix === STORAGE_ROOT ? under(path, STORAGE_ROOT) : under(path, m.prefix)) {
        const rest = m.prefix === STORAGE_ROOT ? path.slice(STORAGE_ROOT.length) : path.slice(m.prefix === '/' ? 0 : m.prefix.length);
        return m.base.with({ path: (m.base.path.replace(/\/+$/, '') + (rest.startsWith('/') || rest === '' ? rest : `/${rest}`)) || '/' });
      }
    }
    throw new FsError('ENOENT', `${path} is outside the workspace folders and the extension's storage`);
  }
}

/** vscode.FileSystemError codes as Node's; the browser's storage quota running out (a QuotaExceededError) as ENOSPC. */
function nodeCode(e: unknown): string {
  if (/quota/i.test(`${(e as { name?: unknown } | null)?.name ?? ''} ${(e as Error | null)?.message ?? ''}`)) return 'ENOSPC';
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case 'FileNotFound': case 'EntryNotFound': return 'ENOENT';
    case 'FileExists': case 'EntryExists': return 'EEXIST';
    case 'FileNotADirectory': case 'EntryNotADirectory': return 'ENOTDIR';
    case 'FileIsADirectory': case 'EntryIsADirectory': return 'EISDIR';
    case 'NoPermissions': return 'EACCES';
    case 'Unavailable': return 'EIO';
    default: return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : 'UNKNOWN';
  }
}

function kindOf(type: vscode.FileType): FsEntryKind {
  if (type & vscode.FileType.SymbolicLink) return 'symlink';
  if (type & vscode.FileType.Directory) return 'dir';
  if (type & vscode.FileType.File) return 'file';
  return 'other';
}

/** {@link PlatformFs} over `vscode.workspace.fs`. */
export class WorkspaceFs implements PlatformFs {
  /** How each listing went, for the output channel. */
  readonly listings: string[] = [];

  /**
   * `storageInBrowser`: the extension's storage is the browser's own (VS Code for the Web without a remote: IndexedDB
   * under the site's quota), so the quota left, from `navigator.storage.estimate()`, bounds what can be saved there.
   */
  constructor(private readonly paths: WebPaths, private readonly storageInBrowser = false) {}

  private async call<T>(path: string, f: (uri: vscode.Uri) => Thenable<T>): Promise<T> {
    const uri = this.paths.uriOf(path);
    try {
      return await f(uri);
    } catch (e) {
      if (e instanceof FsError) throw e;
      throw new FsError(nodeCode(e), `${path}: ${(e as Error).message}`);
    }
  }

  async stat(path: string): Promise<{ kind: FsEntryKind; size: number }> {
    const st = await this.call(path, (u) => vscode.workspace.fs.stat(u));
    // A link to a file or folder is read as what it points to (stat follows it); listings mark links as such.
    const kind: FsEntryKind = st.type & vscode.FileType.Directory ? 'dir' : st.type & vscode.FileType.File ? 'file' : 'other';
    return { kind, size: st.size };
  }

  async readDirectory(path: string): Promise<{ name: string; kind: FsEntryKind }[]> {
    const entries = await this.call(path, (u) => vscode.workspace.fs.readDirectory(u));
    return entries.map(([name, type]) => ({ name, kind: kindOf(type) }));
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.call(path, (u) => vscode.workspace.fs.readFile(u));
  }

  writeFile(path: string, data: Uint8Array): Promise<void> {
    return this.call(path, (u) => vscode.workspace.fs.writeFile(u, data));
  }

  createDirectory(path: string): Promise<void> {
    return this.call(path, (u) => vscode.workspace.fs.createDirectory(u));
  }

  rename(from: string, to: string): Promise<void> {
    const target = this.paths.uriOf(to);
    return this.call(from, (u) => vscode.workspace.fs.rename(u, target, { overwrite: false }));
  }

  async freeBytes(path: string): Promise<number | undefined> {
    if (!this.storageInBrowser || !under(path, STORAGE_ROOT)) return undefined;
    const storage = (globalThis as { navigator?: { storage?: { estimate?(): Promise<{ quota?: number; usage?: number }> } } }).navigator?.storage;
    const estimate = await storage?.estimate?.().catch(() => undefined);
    return estimate?.quota === undefined ? undefined : Math.max(0, estimate.quota - (estimate.usage ?? 0));
  }

  async delete(path: string): Promise<void> {
    try {
      await this.call(path, (u) => vscode.workspace.fs.delete(u, { recursive: true, useTrash: false }));
    } catch (e) {
      if ((e as FsError).code !== 'ENOENT') throw e;
    }
  }

  /**
   * The files under a workspace folder from `workspace.findFiles` (no exclude settings applied: the corpus rules
   * decide), without the folders the corpus never enters. Undefined when there is no search provider for the
   * folder's scheme, it fails, or it does not answer within {@link FIND_FILES_TIMEOUT_MS}.
   */
  async listFiles(root: string, maxFiles: number, skipDirs: readonly string[]): Promise<string[] | undefined> {
    const folder = (vscode.workspace.workspaceFolders ?? []).find((f) => this.paths.pathOf(f.uri) === root);
    if (!folder) return undefined;
    const t0 = Date.now();
    const exclude = skipDirs.length ? `**/{${skipDirs.join(',')}}/**` : null;
    const source = new vscode.CancellationTokenSource();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), FIND_FILES_TIMEOUT_MS); });
    try {
      const found = await Promise.race([
        Promise.resolve(vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*'), exclude, maxFiles, source.token)),
        timeout,
      ]);
      if (found === 'timeout') {
        this.listings.push(`findFiles did not answer within ${FIND_FILES_TIMEOUT_MS / 1000} s for ${root}: walking its folders instead`);
        return undefined;
      }
      const prefix = folder.uri.path.replace(/\/+$/, '');
      const files = found.filter((u) => sameRoot(u, folder.uri) && under(u.path, prefix)).map((u) => u.path.slice(prefix.length + 1));
      this.listings.push(`findFiles listed ${files.length} files under ${root} in ${Date.now() - t0} ms`);
      return files;
    } catch (e) {
      this.listings.push(`findFiles failed for ${root} (${(e as Error).message}): walking its folders instead`);
      return undefined;
    } finally {
      clearTimeout(timer);
      source.cancel();
      source.dispose();
    }
  }
}
