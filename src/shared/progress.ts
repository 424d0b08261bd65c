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
  /** Seconds rested so far to keep to the run's CPU share (background training; not counted in `elapsedSec`). */
  restedSec?: number;
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
  /** Ghost text on the held-out files at the user's threshold, as `inkling eval` measures it (absent in older records). */
  ghostText?: HeldOutGhostText | null;
}

/** Ghost text as a person pays for it (see `src/eval/suggestions.ts`): per distinct suggestion, characters shown and right. */
export interface GhostTextFigures {
  suggestions: number;
  charsShown: number;
  charsRight: number;
  /** Characters right ÷ characters shown. */
  precision: number;
  /** Characters right ÷ characters the user would type without suggestions. */
  recall: number;
  /** The share of suggestions right in full. */
  fullAcceptRate: number;
  /** Keystrokes saved by the simulated user, net of reading what is shown. */
  keystrokesSaved: number;
}

/** The end of a training run: ghost text typed in the held-out files, with the trained model and without it. */
export interface HeldOutGhostText {
  /** The confidence threshold (`inkling.completion.confidence`) the figures are for. */
  confidence: number;
  typedChars: number;
  files: number;
  /** The mixture with the trained model. */
  inkling: GhostTextFigures;
  /** The n-gram/match part alone. */
  ngramPart: GhostTextFigures;
}
