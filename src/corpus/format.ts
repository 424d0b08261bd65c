/** Human summary of a {@link CorpusReport}. */
import { SKIP_REASONS, type CorpusReport } from './types';

const number = (n: number): string => n.toLocaleString('en-US');

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * A few lines for people: files and characters kept, skipped entries by reason, secrets, truncation.
 * No trailing newline. Numbers use `en-US` grouping whatever the locale, so output is reproducible.
 */
export function formatReport(report: CorpusReport): string {
  const roots =
    report.roots.length === 1 ? (report.roots[0] as string) : `${number(report.roots.length)} roots`;
  const lines = [
    `Corpus: ${number(report.files.length)} files, ${number(report.totalChars)} characters (${size(report.totalBytes)}) from ${roots}.`,
  ];
  const parts = SKIP_REASONS.filter((r) => report.skippedCounts[r] > 0).map((r) => `${number(report.skippedCounts[r])} ${r}`);
  const skipped = SKIP_REASONS.reduce((sum, r) => sum + report.skippedCounts[r], 0);
  lines.push(skipped === 0 ? 'Skipped: nothing.' : `Skipped ${number(skipped)}: ${parts.join(', ')}.`);
  if (report.skippedCounts.secret > 0 || report.maskedSecrets > 0) {
    lines.push(
      `Secrets: ${number(report.skippedCounts.secret)} files not read by name, ` +
        `${number(report.maskedSecrets)} tokens masked in kept text.`,
    );
  }
  if (report.truncated) {
    lines.push(
      report.skippedCounts['over-cap'] > 0
        ? `Truncated: the text cap was reached; a deterministic sample was kept and ${number(report.skippedCounts['over-cap'])} files left out.`
        : 'Truncated: the walk stopped at the maxFiles bound; some files were not visited.',
    );
  }
  return lines.join('\n');
}
