import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The folder of Inkling's own package.json, found by walking up from this file (works bundled or compiled). */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'inkling') return dir;
      } catch {
        // keep walking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find Inkling\'s package folder');
    dir = up;
  }
}

/** The built-in default corpus: Inkling's own sources and docs, so a bare `inkling train` has something real to learn. */
export const DEFAULT_CORPUS_INCLUDE = ['src/**', 'test/**', 'scripts/**', '*.md'];
