/** An error the CLI reports as one line (no stack trace) with a non-zero exit. */
export class UsageError extends Error {
  override name = 'UsageError';
}
