/**
 * Pure conversions from the host's objects (training progress, corpus report, model info, acceptance figures) to
 * the JSON the dashboard shows, and the rules for which controls apply. No vscode.
 */
import type {
  AcceptanceView, ControlId, ControlView, CorpusView, CurvePoint, DashboardState, GhostTextFiguresView, GhostTextView, ModelView,
  ProgressView, RunStatus,
} from '../shared/dashboardProtocol';
import type { CorpusInfo, ModelInfo } from '../shared/protocol';
import type { GhostTextFigures, TrainProgress } from '../shared/progress';
import { describeQuality, finiteOrNull } from '../shared/quality';

export function toProgressView(p: TrainProgress): ProgressView {
  return {
    step: p.step, epoch: p.epoch,
    trainBits: finiteOrNull(p.trainBits), valBits: finiteOrNull(p.valBits), bestValBits: finiteOrNull(p.bestValBits),
    charsPerSec: finiteOrNull(p.charsPerSec) ?? 0, elapsedSec: finiteOrNull(p.elapsedSec) ?? 0,
    etaSec: finiteOrNull(p.etaSec), fraction: Math.min(1, Math.max(0, finiteOrNull(p.fraction) ?? 0)),
  };
}

export function toCurvePoint(p: TrainProgress): CurvePoint {
  return { step: p.step, sec: Math.round(p.elapsedSec * 10) / 10, train: finiteOrNull(p.trainBits), val: finiteOrNull(p.valBits) };
}

/** Plain words for the corpus collector's skip reasons (src/corpus/types.ts); unknown reasons show as they are. */
export const SKIP_REASON_LABELS: Readonly<Record<string, string>> = {
  'ignored': 'ignored by .gitignore',
  'excluded': 'excluded (dependency and build folders, exclude globs)',
  'generated': 'generated (lock files, source maps, marked generated)',
  'binary': 'binary',
  'not-utf8': 'not UTF-8 text',
  'minified': 'minified',
  'too-large': 'too large',
  'over-cap': 'over the corpus size limit',
  'secret': 'may hold secrets (never opened)',
  'symlink': 'symbolic links (not followed)',
  'unreadable': 'unreadable',
  'vanished': 'deleted while reading',
};

export function toCorpusView(c: CorpusInfo): CorpusView {
  const label = (r: string): string => SKIP_REASON_LABELS[r] ?? r;
  return {
    files: c.files, chars: c.chars,
    skipped: Object.entries(c.skipped).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1])
      .map(([reason, count]) => ({ reason, label: label(reason), count })),
    examples: c.examples.slice(0, 20).map((e) => ({ path: e.path, reason: label(e.reason) })),
    maskedSecrets: c.maskedSecrets, truncated: c.truncated,
  };
}

export function toModelView(m: ModelInfo): ModelView {
  return {
    cell: m.config.cell, layers: m.config.layers, units: m.config.units, embeddingSize: m.config.embeddingSize,
    vocabSize: m.config.vocabSize, parameters: m.parameters, trainedSteps: m.trainedSteps, trainedSec: m.trainedSec, createdAt: m.createdAt,
    validationBitsPerChar: finiteOrNull(m.validationBitsPerChar), kernels: m.kernels,
    unknownChars: m.validationUnknownChars ?? null, suggests: m.suggests ? capitalise(m.suggests.why) : null,
    ghostText: toGhostTextView(m),
  };
}

/** The held-out ghost text figures of a model record, for the dashboard (null when the record has none). */
export function toGhostTextView(m: ModelInfo): GhostTextView | null {
  const g = m.heldOut?.ghostText;
  if (!g) return null;
  const view = (f: GhostTextFigures): GhostTextFiguresView => ({
    suggestions: f.suggestions, charsShown: f.charsShown, charsRight: f.charsRight,
    precision: finiteOrNull(f.precision) ?? 0, recall: finiteOrNull(f.recall) ?? 0, fullAcceptRate: finiteOrNull(f.fullAcceptRate) ?? 0,
  });
  return {
    confidence: g.confidence, typedChars: g.typedChars, files: g.files, source: m.suggests?.source ?? 'mixed',
    inkling: view(g.inkling), ngramPart: view(g.ngramPart),
  };
}

function capitalise(s: string): string {
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}`;
}

export interface ControlInputs {
  busy: boolean;
  trusted: boolean;
  hasFolder: boolean;
  hasModel: boolean;
}

/** Which controls apply now, and why not when they do not. */
export function controlsFor(s: ControlInputs): Record<ControlId, ControlView> {
  const canRead = !s.hasFolder ? 'Open a folder to train on its files.'
    : !s.trusted ? 'Trust this workspace to let Inkling read it (Restricted Mode).' : undefined;
  const off = (reason: string): ControlView => ({ enabled: false, reason });
  const on: ControlView = { enabled: true };
  return {
    train: s.busy ? off('Training is already running.') : canRead ? off(canRead) : on,
    stop: s.busy ? on : off('Nothing is training.'),
    retrain: s.busy ? off('Stop training first.') : canRead ? off(canRead) : !s.hasModel ? off('There is no model yet: use Train.') : on,
    export: s.busy ? off('Wait for training to finish.') : !s.hasModel ? off('There is no trained model to export yet.') : on,
  };
}

export interface StateInputs extends ControlInputs {
  run: RunStatus;
  runMessage: string;
  kernels: string;
  /** What differs on this platform (threads, speed); empty on the desktop. */
  platform?: string;
  model: ModelInfo | null;
  corpus: CorpusInfo | null;
  progress: TrainProgress | null;
  acceptance: AcceptanceView;
  temperature: number;
}

export function buildState(s: StateInputs): DashboardState {
  const model = s.model ? toModelView(s.model) : null;
  // While (or after) a run, its own validation figures; otherwise those the loaded model was saved with.
  const now = finiteOrNull(s.progress?.valBits) ?? model?.validationBitsPerChar ?? null;
  const best = finiteOrNull(s.progress?.bestValBits) ?? model?.validationBitsPerChar ?? null;
  return {
    run: s.run, status: s.runMessage, busy: s.busy, trusted: s.trusted, hasFolder: s.hasFolder,
    kernels: s.kernels || model?.kernels || '',
    platform: s.platform ?? '',
    model, corpus: s.corpus ? toCorpusView(s.corpus) : null,
    quality: describeQuality(now, best),
    acceptance: { ...s.acceptance },
    temperature: s.temperature,
    controls: controlsFor(s),
  };
}
