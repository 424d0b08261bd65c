/**
 * Schedules sample generation for the dashboard: one request in flight at a time; requests made meanwhile collapse
 * into one more run with the latest prompt and temperature, and the superseded result is not shown. Pure (the
 * generator and the delivery are passed in).
 */
import type { IDisposable } from '../shared/disposable';
import type { SampleView } from '../shared/dashboardProtocol';

export interface SampleRequest {
  prompt: string;
  temperature: number;
  seed: number;
}

export class SampleScheduler implements IDisposable {
  private inFlight = false;
  private queued = false;
  private disposed = false;
  private seed = 1;

  constructor(
    private readonly generate: (r: SampleRequest) => Promise<SampleView>,
    private readonly params: () => { prompt: string; temperature: number },
    private readonly deliver: (s: SampleView) => void,
  ) {}

  /** Generates a sample (soon); `newSeed` asks for a different one than last time. */
  request(newSeed = false): void {
    if (this.disposed) return;
    if (newSeed) this.seed++;
    if (this.inFlight) {
      this.queued = true;
      return;
    }
    void this.run();
  }

  /** Resolves when nothing is in flight (for tests). */
  get idle(): boolean {
    return !this.inFlight;
  }

  private async run(): Promise<void> {
    this.inFlight = true;
    try {
      do {
        this.queued = false;
        const req = { ...this.params(), seed: this.seed };
        let view: SampleView;
        try {
          view = await this.generate(req);
        } catch (e) {
          view = { status: 'error', prompt: req.prompt, text: e instanceof Error ? e.message : String(e), temperature: req.temperature, seed: req.seed, modelSteps: null };
        }
        if (!this.queued && !this.disposed) this.deliver(view);
      } while (this.queued && !this.disposed);
    } finally {
      this.inFlight = false;
    }
  }

  dispose(): void {
    this.disposed = true;
  }
}
