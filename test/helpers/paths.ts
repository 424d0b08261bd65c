import path from 'node:path';

/** The repository root (tests run from out/test/...). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** A corpus from the team's shared folder beside the repository (override with INKLING_SHARED_CORPORA). */
export function sharedCorpus(name: string): string {
  return path.join(process.env.INKLING_SHARED_CORPORA ?? path.join(repoRoot, '..', 'shared', 'corpora'), name);
}
