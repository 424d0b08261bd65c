/**
 * The workspace's n-gram and match models as the completion worker builds them from the files the corpus rules
 * keep (and as the end-to-end tests rebuild them to check the editor against the evaluation): each file in order
 * into both, the last ones scored first for the mixing weights' starting point (see `HeldOutProbe`).
 */
import { NGramModel } from '../ngram';
import { MatchModel } from './matchModel';
import { HeldOutProbe } from './prior';

export interface WorkspaceModels {
  ngram: NGramModel;
  match: MatchModel;
  /** What the n-gram model scored on the last files before reading them (null when none was scored). */
  ngramBits: number | null;
}

/** `pause` runs between files (the worker lets completion requests through there). */
export async function buildWorkspaceModels(texts: string[], pause?: () => Promise<void>): Promise<WorkspaceModels> {
  const ngram = new NGramModel();
  const match = new MatchModel();
  const probe = new HeldOutProbe(texts.reduce((a, t) => a + t.length, 0));
  for (const t of texts) {
    probe.add(ngram, t);
    match.addText(t);
    if (pause) await pause();
  }
  return { ngram, match, ngramBits: probe.bitsPerChar };
}
