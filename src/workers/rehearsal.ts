/**
 * When the completion worker rehearses (Predictor.rehearse: a few BPTT steps of the LSTM on what the user wrote):
 * once the user pauses (no learning completion request for {@link PAUSE_MS}) after writing at least
 * {@link PAUSE_NEW_CHARS} new characters, and when a document is saved (the host asks) after at least
 * {@link SAVE_NEW_CHARS}. Each rehearsal trains on the last REHEARSE_CHARS (512) characters learned from (only
 * text of files training would read reaches them: see the worker's `mayFeed`), one BPTT window per turn of the
 * event loop, so a completion request that arrives meanwhile waits for one window at most; the weights change
 * only at the end (what the output layer learned from the few characters typed during a rehearsal is then
 * replaced by the rehearsed weights, which were trained on the text before them). `inkling eval` scores the same (a rehearsal after every 256 characters read).
 */
import { runSliced } from '../shared/steps';
import { REHEARSE_CHARS, REHEARSE_NEW_CHARS, type Predictor, type Rehearsal } from '../engine/predictor';
import type { RehearsalInfo } from '../shared/protocol';

export const PAUSE_MS = 1500;
export const PAUSE_NEW_CHARS = REHEARSE_NEW_CHARS;
export const SAVE_NEW_CHARS = 64;

export class Rehearsals {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<RehearsalInfo | null> | null = null;
  private predictor: Predictor | null = null;
  /** `predictor.learned` at the last rehearsal. */
  private doneAt = 0;
  private count = 0;

  /** `current`: the loaded LSTM (null when none); a rehearsal whose predictor is no longer current is dropped. */
  constructor(
    private readonly current: () => Predictor | null,
    private readonly pauseMs = PAUSE_MS,
    /** Told of each rehearsal that changed the weights. */
    private readonly onRehearsed: (r: RehearsalInfo) => void = () => undefined,
  ) {}

  /** After each completion request that learned from what was typed: a pause starts now. */
  typed(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run(PAUSE_NEW_CHARS);
    }, this.pauseMs);
  }

  /** Rehearses if at least `minNew` characters were learned from since the last rehearsal (the save path: {@link SAVE_NEW_CHARS}). */
  run(minNew = SAVE_NEW_CHARS): Promise<RehearsalInfo | null> {
    if (this.running) return this.running;
    const p = this.current();
    if (!p) return Promise.resolve(null);
    if (p !== this.predictor) {
      this.predictor = p;
      this.doneAt = 0;
      this.count = 0;
    }
    if (p.learned - this.doneAt < minNew) return Promise.resolve(null);
    const t0 = performance.now();
    const learned = p.learned;
    const steps = p.rehearseSteps(p.recent(REHEARSE_CHARS + 1));
    const dropped: Rehearsal = { steps: 0, chars: 0, bitsPerChar: Number.NaN };
    this.running = runSliced(steps, async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      // A model loaded (or unloaded) meanwhile: this rehearsal's weights are not its own.
      if (this.current() !== p) steps.return(dropped);
    }, 0).then((r) => {
      this.running = null;
      // (After steps.return the generator ends with no value.)
      if (!r || r.steps === 0 || this.current() !== p) return null;
      this.doneAt = learned;
      this.count++;
      const info = { ...r, ms: performance.now() - t0, count: this.count };
      this.onRehearsed(info);
      return info;
    }, () => {
      this.running = null;
      return null;
    });
    return this.running;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
