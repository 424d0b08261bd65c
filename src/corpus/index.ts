/**
 * Corpus collector: turns workspace folders into training text. Pure Node (`fs`, `path`); never imports
 * `vscode`, so the CLI, the training worker and unit tests share it.
 *
 * Everything public is listed here.
 */
export { collectCorpus } from './collect';
export { judgeDocument } from './document';
export { splitByFile } from './split';
export { maskSecrets, isSecretFileName, SECRET_PLACEHOLDER, SECRET_FILE_GLOBS } from './secrets';
export { formatReport } from './format';
export { excludedEntries } from './report';
export { AbortError } from './abort';
export { SKIP_REASONS, MAX_SKIPPED_PER_REASON } from './types';
export type { CorpusFile, CorpusOptions, CorpusReport, SkipReason, SkippedFile } from './types';
