import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** File name of the built kernels, in the package's dist/. */
export const WASM_FILE = 'inkling-kernels.wasm';
/** File name of the bundled kernel worker, in the package's dist/. */
export const THREAD_BUNDLE = 'kernelThread.js';
const PACKAGE_NAME = 'inkling';

/**
 * The nearest folder at or above `from` whose package.json is this package's, or undefined.
 * Works both from tsc output (out/src/engine/kernels/wasm) and from bundles in dist/.
 */
export function findPackageRoot(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) return dir;
      } catch {
        // Not readable JSON: keep walking up.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Candidate paths, first existing wins: next to `here`, then in the package's dist/. */
function candidates(here: string, names: string[]): string[] {
  const out = names.map((n) => path.join(here, n));
  const root = findPackageRoot(here);
  if (root) out.push(...names.map((n) => path.join(root, 'dist', n)));
  return out;
}

/**
 * Finds inkling-kernels.wasm: `explicit` if given (it must exist), else next to `here` (a bundle in dist/),
 * else in the dist/ folder of the package that contains `here` (tsc output under out/).
 * Returns the path, or undefined with the places looked at in `tried`.
 */
export function locateWasm(here: string, explicit?: string, file = WASM_FILE): { path?: string; tried: string[] } {
  const list = explicit ? [path.resolve(explicit)] : candidates(here, [file]);
  return { path: list.find((p) => existsSync(p)), tried: list };
}

/**
 * Finds the kernel worker script. From tsc output the compiled `thread.js` sits next to this module, which
 * keeps the worker and its caller the same version; in a bundle in dist/ it is `kernelThread.js` next to it.
 */
export function locateThreadScript(here: string, explicit?: string): { path?: string; tried: string[] } {
  const list = explicit
    ? [path.resolve(explicit)]
    : [path.join(here, THREAD_BUNDLE), ...(isTscOutput(here) ? [path.join(here, 'thread.js')] : []),
      ...candidates(here, [THREAD_BUNDLE]).slice(1)];
  return { path: list.find((p) => existsSync(p)), tried: list };
}

/** True when `here` is the tsc output folder of this module (it holds the compiled protocol.js beside thread.js). */
function isTscOutput(here: string): boolean {
  return existsSync(path.join(here, 'protocol.js')) && existsSync(path.join(here, 'thread.js'));
}
