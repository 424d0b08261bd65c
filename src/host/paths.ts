/**
 * How the extension host names workspace folders and files for the compute side (which reads them with its own
 * file system: Node's `fs`, or in the browser `workspace.fs` behind a PlatformFs). On the desktop a folder is its
 * `fsPath` and only `file:` folders can be read; in the browser (src/web) every folder `workspace.fs` can read is
 * named by a posix path that maps back to its Uri. Set once at activation by the composition root.
 */
import * as vscode from 'vscode';

export interface HostPaths {
  /** The compute side's path of a folder or file, or undefined when it cannot read it. */
  pathOf(uri: vscode.Uri): string | undefined;
  /** The Uri of a compute-side path (inverse of {@link pathOf}). */
  uriOf(path: string): vscode.Uri;
}

const nodePaths: HostPaths = {
  pathOf: (uri) => (uri.scheme === 'file' ? uri.fsPath : undefined),
  uriOf: (path) => vscode.Uri.file(path),
};

let current: HostPaths = nodePaths;

export function setHostPaths(paths: HostPaths): void {
  current = paths;
}

export function pathOf(uri: vscode.Uri): string | undefined {
  return current.pathOf(uri);
}

export function uriOf(path: string): vscode.Uri {
  return current.uriOf(path);
}

/** The workspace folders the compute side can read, with their paths. */
export function readableFolders(): { folder: vscode.WorkspaceFolder; path: string }[] {
  return (vscode.workspace.workspaceFolders ?? []).flatMap((folder) => {
    const path = pathOf(folder.uri);
    return path === undefined ? [] : [{ folder, path }];
  });
}

/** Their paths. */
export function folderPaths(): string[] {
  return readableFolders().map((f) => f.path);
}
