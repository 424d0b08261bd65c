/**
 * Messages between the extension host and the training dashboard webview, used by both ends. Pure: no vscode, no
 * DOM, no Node. Everything that crosses is plain JSON (numbers that may be NaN on the host are sent as null).
 *
 * Handshake: the webview posts `ready` once its listeners are bound; the host answers with `init` (everything the
 * page shows) and afterwards sends `state`, `progress`, `reset` and `sample` updates. Anything the webview sends is
 * untrusted: the host passes it through {@link parseWebviewMessage} and ignores what that rejects.
 */

import type { GhostTextFigures } from './progress';

/** The panel's view type (package.json's `onWebviewPanel:` activation event names it). */
export const DASHBOARD_VIEW_TYPE = 'inkling.dashboard';

export const TEMPERATURE_MIN = 0;
export const TEMPERATURE_MAX = 2;
/** Longest sample prompt accepted from the webview, in characters. */
export const MAX_PROMPT_CHARS = 400;
/** Most loss-curve points either end keeps (older points are decimated, see src/shared/history.ts). */
export const MAX_CURVE_POINTS = 500;

/** One point of the loss curves. */
export interface CurvePoint {
  step: number;
  /** Seconds since the run started. */
  sec: number;
  /** Training loss, bits per character (null before the first report). */
  train: number | null;
  /** Latest validation loss, bits per character (null before the first validation). */
  val: number | null;
}

/**
 * The host's curve history, so the page continues it exactly: its points (the last one provisional when `tail`),
 * and the decimation stride and phase (see src/shared/history.ts).
 */
export interface CurveSnapshot {
  points: CurvePoint[];
  tail: boolean;
  stride: number;
  sinceKept: number;
}

/** The latest training progress, as the page shows it. */
export interface ProgressView {
  step: number;
  epoch: number;
  trainBits: number | null;
  valBits: number | null;
  bestValBits: number | null;
  charsPerSec: number;
  elapsedSec: number;
  /** Seconds left; null when unknown. */
  etaSec: number | null;
  /** 0..1 of the run's budget. */
  fraction: number;
}

export interface CorpusView {
  files: number;
  chars: number;
  /** Files skipped for each reason (`reason` is the collector's code, `label` plain words), most first. */
  skipped: { reason: string; label: string; count: number }[];
  /** A few skipped paths, with the plain-words reason. */
  examples: { path: string; reason: string }[];
  maskedSecrets: number;
  truncated: boolean;
}

export interface ModelView {
  cell: string;
  layers: number;
  units: number;
  embeddingSize: number;
  vocabSize: number;
  parameters: number;
  trainedSteps: number;
  /** Training time of every run that built it, in seconds. */
  trainedSec: number;
  createdAt: string;
  validationBitsPerChar: number | null;
  /** Kernels the model was trained or loaded with. */
  kernels: string;
  /** Held-out characters outside the vocabulary at its validation, counted apart from bits per character. */
  unknownChars: number | null;
  /** Which model suggests with this one loaded, and why (null when not known). */
  suggests: string | null;
  /** Ghost text typed in the held-out files at the end of its training run (null in older records). */
  ghostText: GhostTextView | null;
}

/** One model's ghost text on the held-out files (see `GhostTextFigures` in shared/progress.ts). */
export type GhostTextFiguresView = Omit<GhostTextFigures, 'keystrokesSaved'>;

export interface GhostTextView {
  /** The confidence threshold the figures are for. */
  confidence: number;
  typedChars: number;
  files: number;
  /** The model that suggests ('mixed': with the trained model; 'ngram': the n-gram/match part alone). */
  source: 'mixed' | 'ngram';
  inkling: GhostTextFiguresView;
  ngramPart: GhostTextFiguresView;
}

export type QualityLevel = 'none' | 'excellent' | 'good' | 'fair' | 'learning' | 'early';

export interface QualityView {
  /** Validation bits per character of the latest validation (this run) or of the loaded model. */
  now: number | null;
  best: number | null;
  level: QualityLevel;
  /** Plain-language reading of `best`. */
  reading: string;
}

export interface AcceptanceView {
  shown: number;
  acceptedFull: number;
  acceptedPartial: number;
  charsAccepted: number;
}

export type ControlId = 'train' | 'stop' | 'retrain' | 'export';
export interface ControlView {
  enabled: boolean;
  /** Why it is disabled (shown as its tooltip and hint). */
  reason?: string;
}

export type RunStatus = 'idle' | 'training' | 'done' | 'stopped' | 'error';

export interface DashboardState {
  run: RunStatus;
  /** One sentence for the status line (announced to screen readers). */
  status: string;
  busy: boolean;
  trusted: boolean;
  hasFolder: boolean;
  /** Kernels of the current or last run ('' before any). */
  kernels: string;
  /** What differs on this platform (the browser: threads, speed); '' on the desktop. */
  platform: string;
  model: ModelView | null;
  corpus: CorpusView | null;
  quality: QualityView;
  acceptance: AcceptanceView;
  temperature: number;
  controls: Record<ControlId, ControlView>;
}

export interface SampleView {
  /** 'no-model' when there is nothing to sample from yet. */
  status: 'ok' | 'no-model' | 'error';
  prompt: string;
  text: string;
  temperature: number;
  seed: number;
  /** Trained steps of the model that wrote it. */
  modelSteps: number | null;
}

export type HostMessage =
  | { type: 'init'; state: DashboardState; progress: ProgressView | null; curve: CurveSnapshot; prompt: string; sample: SampleView | null }
  | { type: 'state'; state: DashboardState }
  /** Throttled: the latest progress and the curve points recorded since the previous message. */
  | { type: 'progress'; progress: ProgressView; points: CurvePoint[] }
  /** A new run started: the curves start again. */
  | { type: 'reset' }
  | { type: 'sample'; sample: SampleView };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'train' }
  | { type: 'stop' }
  | { type: 'retrain' }
  | { type: 'export' }
  /** Asks for another sample (a new seed). */
  | { type: 'newSample' }
  | { type: 'setPrompt'; prompt: string }
  | { type: 'setTemperature'; value: number };

export function clampTemperature(t: number): number {
  return Math.min(TEMPERATURE_MAX, Math.max(TEMPERATURE_MIN, Math.round(t * 100) / 100));
}

const SIMPLE = new Set<WebviewMessage['type']>(['ready', 'train', 'stop', 'retrain', 'export', 'newSample']);

/**
 * Validates a message from the webview. Returns a fresh, well-formed message (unknown fields dropped, the
 * temperature clamped to [0, 2]) or undefined for anything else: unknown types, wrong field types, non-finite
 * numbers, prompts longer than {@link MAX_PROMPT_CHARS}.
 */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const m = raw as Record<string, unknown>;
  const type = m['type'];
  if (typeof type !== 'string') return undefined;
  if (SIMPLE.has(type as WebviewMessage['type'])) return { type } as WebviewMessage;
  switch (type) {
    case 'setPrompt': {
      const prompt = m['prompt'];
      return typeof prompt === 'string' && prompt.length <= MAX_PROMPT_CHARS ? { type, prompt } : undefined;
    }
    case 'setTemperature': {
      const value = m['value'];
      return typeof value === 'number' && Number.isFinite(value) ? { type, value: clampTemperature(value) } : undefined;
    }
    default:
      return undefined;
  }
}

/** The part of the webview's saved state (getState/setState) the host reads when it restores the panel. */
export interface DashboardWebviewState {
  prompt?: string;
  xAxis?: 'step' | 'time';
  /** The last run's curve and progress, shown again after a window reload (the host's records start afresh). */
  curve?: CurveSnapshot;
  progress?: ProgressView | null;
}

/** Reads the prompt from a restored panel's state, or undefined if it is missing or malformed. */
export function promptFromState(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const p = (state as Record<string, unknown>)['prompt'];
  return typeof p === 'string' && p.length <= MAX_PROMPT_CHARS ? p : undefined;
}
