/**
 * Cancellation: the error thrown when an `AbortSignal` fires, shaped like Node's own (`name === 'AbortError'`,
 * `code === 'ABORT_ERR'`, the signal's reason as `cause`), so callers can test `err.name === 'AbortError'`.
 */
export class AbortError extends Error {
  override readonly name = 'AbortError';
  readonly code = 'ABORT_ERR';
  constructor(reason?: unknown) {
    super('The corpus collection was aborted', reason === undefined ? undefined : { cause: reason });
  }
}

/** Throws an {@link AbortError} if `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal.reason);
}

/**
 * Resolves or rejects like `promise`, but rejects with an {@link AbortError} as soon as `signal` fires.
 * The listener is removed when `promise` settles, so nothing leaks per call.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new AbortError(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
