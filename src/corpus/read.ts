/**
 * Reading one listed file safely: never follows a symbolic link (where the platform has `O_NOFOLLOW`), never
 * blocks on a FIFO that replaced a file (`O_NONBLOCK`), never holds more than `maxBytes + 1` bytes of a file
 * (or 16 KiB, whichever is less, of one found too large), and turns every failure into a result instead of a
 * rejection.
 *
 * Written with the callback `fs` API: on 100,000 small files it is several times faster than
 * `fs.promises.FileHandle`, whose per-handle bookkeeping dominates when files are tiny.
 */
import * as fs from 'node:fs';

export type ReadResult<B extends Uint8Array = Uint8Array> =
  | { kind: 'ok'; bytes: B }
  /** Larger than the per-file limit (by `fstat`, or grown past it while being read). Nothing kept. */
  | { kind: 'too-large'; size: number }
  /** Larger than `skipAbove`: measured, content not returned. */
  | { kind: 'over-budget'; size: number }
  | { kind: 'failed'; reason: 'vanished' | 'unreadable' | 'symlink'; detail: string };

let openFlags: number | undefined;
/** Read-only, no link followed, no FIFO blocked on (computed on first use: the browser bundle has no `fs`). */
const OPEN_FLAGS = (): number => (openFlags ??= fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));

/** Most source files fit in the first read; only larger ones cost an `fstat` and a second read. */
const FIRST_READ = 16 * 1024;

/**
 * Opens `file` and reads it whole, in as few system calls as possible: one read for files under 16 KiB
 * (open, read, close), and for larger ones an `fstat` first, so that a file over the limits is never read
 * beyond that first 16 KiB. Content is the file as it was when read; a file that keeps growing is read up to
 * `maxBytes + 1` bytes at most and then reported `'too-large'`.
 * @param maxBytes files above this size are `'too-large'`.
 * @param skipAbove files above this size (but within `maxBytes`) are `'over-budget'`: measured, not returned;
 *   the caller uses it for files that cannot fit the remaining byte budget.
 */
export function readFileBounded(file: string, maxBytes: number, skipAbove: number): Promise<ReadResult<Buffer>> {
  return new Promise((resolve) => {
    fs.open(file, OPEN_FLAGS(), (openError, fd) => {
      if (openError) return resolve(failure(openError));
      let settled: ReadResult<Buffer> | undefined;
      const finish = (result: ReadResult<Buffer>): void => {
        settled = result;
        fs.close(fd, () => resolve(settled as ReadResult<Buffer>));
      };
      const sized = (size: number): ReadResult<Buffer> | undefined =>
        size > maxBytes ? { kind: 'too-large', size } : size > skipAbove ? { kind: 'over-budget', size } : undefined;

      let buffer = Buffer.allocUnsafe(Math.min(FIRST_READ, maxBytes + 1));
      fs.read(fd, buffer, 0, buffer.length, null, (readError, first) => {
        if (readError) return finish(failure(readError));
        // A short read of a regular file means end of file.
        if (first < buffer.length) return finish(sized(first) ?? { kind: 'ok', bytes: buffer.subarray(0, first) });
        fs.fstat(fd, (statError, stat) => {
          if (statError) return finish(failure(statError));
          if (!stat.isFile()) return finish({ kind: 'failed', reason: 'vanished', detail: 'no longer a regular file' });
          const verdict = sized(Math.max(stat.size, first));
          if (verdict) return finish(verdict);
          // One spare byte: a file read to its listed size then shows its end with a short read.
          const whole = Buffer.allocUnsafe(Math.min(Math.max(stat.size, first) + 1, maxBytes + 1));
          buffer.copy(whole, 0, 0, first);
          buffer = whole;
          let length = first;
          const readMore = (): void => {
            if (length === buffer.length) {
              if (length > maxBytes) return finish({ kind: 'too-large', size: length });
              const grown = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxBytes + 1));
              buffer.copy(grown, 0, 0, length);
              buffer = grown;
            }
            const requested = buffer.length - length;
            fs.read(fd, buffer, length, requested, null, (moreError, bytesRead) => {
              if (moreError) return finish(failure(moreError));
              length += bytesRead;
              if (bytesRead === requested) return readMore();
              finish(sized(length) ?? { kind: 'ok', bytes: buffer.subarray(0, length) });
            });
          };
          readMore();
        });
      });
    });
  });
}

function failure(error: NodeJS.ErrnoException): ReadResult & { kind: 'failed' } {
  const code = error.code ?? 'UNKNOWN';
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'EISDIR': // listed as a file, now a folder: replaced since the listing
      return { kind: 'failed', reason: 'vanished', detail: code };
    case 'ELOOP':
    case 'EMLINK': // what some BSDs return for O_NOFOLLOW on a link
      return { kind: 'failed', reason: 'symlink', detail: `${code}: became a link` };
    default:
      return { kind: 'failed', reason: 'unreadable', detail: code };
  }
}
