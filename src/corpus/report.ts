/** Accumulates a {@link CorpusReport}: complete counts, a bounded list of examples per skip reason. */
import { MAX_SKIPPED_PER_REASON, SKIP_REASONS, type CorpusFile, type CorpusReport, type SkipReason, type SkippedFile } from './types';

/**
 * What a model's metadata records of the files it was not trained on: paths (relative to their root, prefixed
 * with the root's folder name when there are several roots) and reasons, never contents, never absolute paths.
 * The sample of {@link CorpusReport.skipped}: at most {@link MAX_SKIPPED_PER_REASON} per reason.
 */
export function excludedEntries(report: CorpusReport): { path: string; reason: SkipReason }[] {
  const multi = report.roots.length > 1;
  return report.skipped.map((s) => ({
    path: multi ? `${s.root.split(/[\\/]/).filter(Boolean).pop() ?? ''}/${s.path}` : s.path,
    reason: s.reason,
  }));
}

export class ReportBuilder {
  private readonly skipped: SkippedFile[] = [];
  private readonly counts: Record<SkipReason, number>;
  maskedSecrets = 0;
  truncated = false;

  constructor(private readonly roots: readonly string[]) {
    this.counts = Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>;
  }

  skip(root: string, path: string, reason: SkipReason, detail?: string): void {
    if (++this.counts[reason] > MAX_SKIPPED_PER_REASON) return;
    this.skipped.push(detail === undefined ? { root, path, reason } : { root, path, reason, detail });
  }

  /** `files` must already be in report order. */
  build(files: CorpusFile[]): CorpusReport {
    let totalChars = 0;
    let totalBytes = 0;
    for (const f of files) {
      totalChars += f.text.length;
      totalBytes += f.bytes;
    }
    return {
      roots: [...this.roots],
      files,
      totalChars,
      totalBytes,
      skipped: [...this.skipped],
      skippedCounts: { ...this.counts },
      maskedSecrets: this.maskedSecrets,
      truncated: this.truncated,
    };
  }
}
