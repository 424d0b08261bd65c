/**
 * When background training may start (`inkling.training.whenIdle`): the decision, kept apart from the editor so
 * that it is tested without one. The host feeds it the user's activity, the runs' ends and the power state, and
 * asks it when to look again.
 */

/** Background runs in a row that did not improve the model, after which background training waits for a save. */
export const IDLE_FRUITLESS_RUNS = 3;

export interface IdleInputs {
  enabled: boolean;
  /** A trusted workspace with a folder to train on. */
  canTrain: boolean;
  /** A training job (any kind) is running. */
  busy: boolean;
  /** True on battery power, false on mains, undefined where the platform does not tell. */
  onBattery: boolean | undefined;
}

export type IdleDecision =
  | { start: true }
  | { start: false; why: string; /** When to ask again (ms since the epoch), or null: only after a change. */ retryAt: number | null };

export class IdlePolicy {
  private lastActivity: number;
  private fruitless = 0;

  constructor(private idleAfterMs: number, now: number) {
    this.lastActivity = now;
  }

  setIdleAfter(ms: number): void {
    this.idleAfterMs = ms;
  }

  /** The user typed, edited or saved (a save also means there is new text to learn from). */
  noteActivity(now: number, saved = false): void {
    this.lastActivity = now;
    if (saved) this.fruitless = 0;
  }

  /**
   * A background run ended; `improved`: it replaced the stored model; `failed`: it ended in an error (said once),
   * after which background training waits for a saved file instead of failing again at every idle moment. The idle
   * wait starts again from here.
   */
  noteRunEnded(now: number, improved: boolean, failed = false): void {
    this.fruitless = failed ? Math.max(IDLE_FRUITLESS_RUNS, this.fruitless + 1) : improved ? 0 : this.fruitless + 1;
    this.lastActivity = now;
  }

  get fruitlessRuns(): number {
    return this.fruitless;
  }

  decide(now: number, s: IdleInputs): IdleDecision {
    if (!s.enabled) return { start: false, why: 'background training is off', retryAt: null };
    if (!s.canTrain) return { start: false, why: 'no trusted folder to train on', retryAt: null };
    if (this.fruitless >= IDLE_FRUITLESS_RUNS) {
      return { start: false, why: `the last ${this.fruitless} background runs did not improve the model; waiting for a saved file`, retryAt: null };
    }
    const idleAt = this.lastActivity + this.idleAfterMs;
    if (s.busy) return { start: false, why: 'training is already running', retryAt: Math.max(idleAt, now + this.idleAfterMs) };
    if (s.onBattery) return { start: false, why: 'on battery power', retryAt: now + 60_000 };
    if (now < idleAt) return { start: false, why: 'the editor is not idle yet', retryAt: idleAt };
    return { start: true };
  }
}

/** One entry of Linux's /sys/class/power_supply: its `type` file and, where present, `online` and `status`. */
export interface PowerSupply {
  type: string;
  online?: string;
  status?: string;
}

/**
 * On battery power? True when a battery is discharging, or when there is a battery and every mains supply is
 * offline; false when mains is online or there is no battery (a desktop); undefined when nothing is known.
 */
export function onBatteryFrom(supplies: readonly PowerSupply[]): boolean | undefined {
  if (supplies.length === 0) return undefined;
  const batteries = supplies.filter((s) => s.type.trim() === 'Battery');
  if (batteries.length === 0) return false;
  if (batteries.some((b) => b.status?.trim() === 'Discharging')) return true;
  const mains = supplies.filter((s) => s.type.trim() === 'Mains' && s.online !== undefined);
  if (mains.length === 0) return undefined;
  return mains.every((m) => m.online!.trim() === '0');
}
