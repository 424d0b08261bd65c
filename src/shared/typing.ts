/**
 * Training yields to the user: the extension host records the time of the user's last keystroke in a
 * SharedArrayBuffer, and the training worker reads it between steps (no message, no latency) and waits until the
 * user has been quiet for {@link TYPING_QUIET_MS}. Pure: no `vscode`, no timers of its own.
 */

/**
 * How long after the last keystroke training stays paused. Gaps between keystrokes while someone types are
 * mostly 80–300 ms (40–120 words a minute) and rarely above 500 ms; a longer gap is a pause to think or read. 750 ms
 * keeps training paused through a burst of typing (it does not restart between two keys, which would put a
 * training step in front of the next completion) and resumes it within a second of the user stopping.
 */
export const TYPING_QUIET_MS = 750;

/** The last keystroke (Date.now() milliseconds, 0 = never), shared between threads through one 64-bit cell. */
export class TypingSignal {
  private readonly cell: BigInt64Array;

  /**
   * Where `SharedArrayBuffer` is missing (a web page that is not cross-origin isolated) the cell is a plain buffer:
   * it then reaches only code on the same thread (training time-sliced in the extension host worker).
   */
  constructor(readonly buffer: SharedArrayBuffer | ArrayBuffer = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(8) : new ArrayBuffer(8)) {
    const ok = typeof SharedArrayBuffer === 'function' ? buffer instanceof SharedArrayBuffer : buffer instanceof ArrayBuffer;
    if (!ok || buffer.byteLength < 8) throw new Error('TypingSignal needs a SharedArrayBuffer of at least 8 bytes');
    this.cell = new BigInt64Array(buffer, 0, 1);
  }

  private relay: ((at: number) => void) | undefined;

  /** The writer (the extension host): the user typed at `now`. One atomic store; cheap enough for every keystroke. */
  touch(now = Date.now()): void {
    Atomics.store(this.cell, 0, BigInt(Math.floor(now)));
    this.relay?.(Math.floor(now));
  }

  /**
   * Where the reader is a worker this buffer cannot reach (a Web Worker without shared memory), each keystroke is
   * also passed to `f`, which sends it there (the worker reads messages between training steps).
   */
  relayTo(f: (at: number) => void): void {
    this.relay = f;
  }

  /** The reader (the training worker): the time of the last keystroke, 0 when there was none. */
  get last(): number {
    return Number(Atomics.load(this.cell, 0));
  }
}

/**
 * Milliseconds training should still wait at `now` when the last keystroke was at `last`: 0 once the user has been
 * quiet for `quietMs`. Never more than `quietMs`, so a clock that jumps backwards cannot stall training.
 */
export function pauseRemaining(now: number, last: number, quietMs = TYPING_QUIET_MS): number {
  if (!(last > 0) || !(quietMs > 0) || !Number.isFinite(now)) return 0;
  const since = now - last;
  return Math.min(quietMs, Math.max(0, quietMs - since));
}
