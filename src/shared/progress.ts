/** What a training run reports as it goes: sent by the trainer to the CLI, the training worker, the host and the dashboard. */
export interface TrainProgress {
  step: number;
  epoch: number;
  /** Mean training loss of recent steps, bits per character. */
  trainBits: number;
  /** Latest validation loss, bits per character (NaN before the first validation or without validation data). */
  valBits: number;
  bestValBits: number;
  charsPerSec: number;
  elapsedSec: number;
  /** Estimated seconds left (NaN when unknown). */
  etaSec: number;
  /** Fraction of the budget used, 0..1. */
  fraction: number;
  learningRate: number;
  /** True in the report sent when training pauses for the user (see `TrainInput.pauseMs` in the engine's trainer). */
  paused?: boolean;
  /** Seconds spent paused so far (not part of elapsedSec). */
  pausedSec?: number;
  /** True in the report sent right after a validation (`valBits` is then the figure just measured). */
  validated?: boolean;
  /** Held-out characters outside the vocabulary at the latest validation (not part of `valBits`). */
  valUnknownChars?: number;
  /** Times this run went back to its best weights after a validation far above the best (the trainer's divergence guard). */
  rollbacks?: number;
}

/** The held-out comparison of a model record: the mixture, the LSTM alone and the n-gram/match part alone. */
export interface HeldOutComparison {
  /** Held-out characters scored. */
  chars: number;
  mixedBitsPerChar: number;
  lstmBitsPerChar: number;
  /** The n-gram model with the match model, without the LSTM. */
  ngramBitsPerChar: number;
  unknownChars: number;
}
