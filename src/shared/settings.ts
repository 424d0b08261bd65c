/**
 * Inkling's settings: one source of truth for keys, defaults and ranges (package.json's `contributes.configuration`
 * is checked against this by a unit test). Parsing never throws: out-of-range or wrongly typed values fall
 * back to the default or are clamped, and each problem is reported as a message.
 */
import type { CellType } from './modelConfig';
import type { KernelChoice } from './modelConfig';

export interface Settings {
  enable: boolean;
  /** languageId → enabled; `*` is the default for languages not listed. */
  languages: Record<string, boolean>;
  temperature: number;
  maxSuggestionChars: number;
  /**
   * Show a suggestion only as far as the estimated probability that all of it is right stays at or above this
   * (engine/confident.ts). The default 0.4 is where `inkling eval`'s threshold curve saved the most keystrokes net
   * of reading on held-out tfjs-layers (Inkling after the default training; 0.3 within 0.1 point) and on held-out
   * `@types/node` (the n-gram part alone); lower thresholds show more that is wrong (README, "Ghost text").
   */
  confidence: number;
  multiline: boolean;
  debounceMs: number;
  inCommentsAndStrings: boolean;
  /** Keep a workspace n-gram model: suggestions before training, mixed with the LSTM after. */
  ngram: boolean;
  contextChars: number;
  include: string[];
  exclude: string[];
  maxCorpusMB: number;
  trainingMinutes: number;
  retrainOnSave: boolean;
  /** Pause training while the user types (see shared/typing.ts). */
  pauseTrainingWhileTyping: boolean;
  /** Keep training in the background while the editor is idle (opt-in). */
  trainWhenIdle: boolean;
  /** The idle time after which background training starts. */
  idleAfterSeconds: number;
  /** Share of the CPU time background training may use (it rests between steps for the rest). */
  idleCpuShare: number;
  cell: CellType;
  layers: number;
  units: number;
  kernels: KernelChoice;
}

type Spec =
  | { key: keyof Settings; type: 'boolean'; default: boolean }
  | { key: keyof Settings; type: 'number'; default: number; min: number; max: number; integer?: boolean }
  | { key: keyof Settings; type: 'enum'; default: string; values: readonly string[] }
  | { key: keyof Settings; type: 'strings'; default: string[] }
  | { key: keyof Settings; type: 'languages'; default: Record<string, boolean> };

/** Setting name under the `inkling.` section → spec. */
export const SETTINGS: Record<string, Spec> = {
  'enable': { key: 'enable', type: 'boolean', default: true },
  'languages': { key: 'languages', type: 'languages', default: { '*': true } },
  'completion.temperature': { key: 'temperature', type: 'number', default: 0, min: 0, max: 2 },
  'completion.confidence': { key: 'confidence', type: 'number', default: 0.4, min: 0, max: 1 },
  'completion.maxChars': { key: 'maxSuggestionChars', type: 'number', default: 48, min: 1, max: 400, integer: true },
  'completion.multiline': { key: 'multiline', type: 'boolean', default: false },
  'completion.debounceMs': { key: 'debounceMs', type: 'number', default: 10, min: 0, max: 2000, integer: true },
  'completion.inCommentsAndStrings': { key: 'inCommentsAndStrings', type: 'boolean', default: true },
  'completion.ngram': { key: 'ngram', type: 'boolean', default: true },
  'completion.contextChars': { key: 'contextChars', type: 'number', default: 256, min: 16, max: 8192, integer: true },
  'training.include': { key: 'include', type: 'strings', default: ['**/*'] },
  'training.exclude': { key: 'exclude', type: 'strings', default: [] },
  'training.maxCorpusMB': { key: 'maxCorpusMB', type: 'number', default: 16, min: 1, max: 1024 },
  'training.minutes': { key: 'trainingMinutes', type: 'number', default: 10, min: 0.1, max: 600 },
  'training.retrainOnSave': { key: 'retrainOnSave', type: 'boolean', default: false },
  'training.pauseWhileTyping': { key: 'pauseTrainingWhileTyping', type: 'boolean', default: true },
  'training.whenIdle': { key: 'trainWhenIdle', type: 'boolean', default: false },
  'training.idleAfterSeconds': { key: 'idleAfterSeconds', type: 'number', default: 120, min: 5, max: 3600, integer: true },
  'training.idleCpuShare': { key: 'idleCpuShare', type: 'number', default: 0.5, min: 0.05, max: 1 },
  'model.cell': { key: 'cell', type: 'enum', default: 'lstm', values: ['lstm', 'gru', 'rnn'] },
  'model.layers': { key: 'layers', type: 'number', default: 2, min: 1, max: 4, integer: true },
  'model.units': { key: 'units', type: 'number', default: 256, min: 16, max: 1024, integer: true },
  'kernels': { key: 'kernels', type: 'enum', default: 'auto', values: ['auto', 'wasm', 'tfjs-node', 'js'] },
};

export function defaultSettings(): Settings {
  const out: Record<string, unknown> = {};
  // A deep copy of plain JSON data (structuredClone belongs to Node and the DOM, not to this pure layer).
  for (const spec of Object.values(SETTINGS)) out[spec.key] = JSON.parse(JSON.stringify(spec.default)) as typeof spec.default;
  return out as unknown as Settings;
}

/**
 * Reads every setting through `get(name)` (e.g. `workspace.getConfiguration('inkling').get`), returning valid
 * settings and a message for each value that was out of range or of the wrong type.
 */
export function parseSettings(get: (name: string) => unknown): { settings: Settings; problems: string[] } {
  const settings = defaultSettings() as unknown as Record<string, unknown>;
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(SETTINGS)) {
    const raw = get(name);
    if (raw === undefined || raw === null) continue;
    const where = `inkling.${name}`;
    switch (spec.type) {
      case 'boolean':
        if (typeof raw === 'boolean') settings[spec.key] = raw;
        else problems.push(`${where} must be true or false; using ${spec.default}`);
        break;
      case 'number': {
        if (typeof raw !== 'number' || !Number.isFinite(raw)) {
          problems.push(`${where} must be a number from ${spec.min} to ${spec.max}; using ${spec.default}`);
          break;
        }
        let v = Math.min(spec.max, Math.max(spec.min, raw));
        if (spec.integer) v = Math.round(v);
        if (v !== raw) problems.push(`${where} must be ${spec.integer ? 'a whole number ' : ''}from ${spec.min} to ${spec.max}; using ${v}`);
        settings[spec.key] = v;
        break;
      }
      case 'enum':
        if (typeof raw === 'string' && spec.values.includes(raw)) settings[spec.key] = raw;
        else problems.push(`${where} must be one of ${spec.values.join(', ')}; using ${spec.default}`);
        break;
      case 'strings':
        if (Array.isArray(raw) && raw.every((s) => typeof s === 'string')) settings[spec.key] = [...raw];
        else problems.push(`${where} must be a list of glob patterns; using the default`);
        break;
      case 'languages':
        if (typeof raw === 'object' && !Array.isArray(raw) && Object.values(raw).every((b) => typeof b === 'boolean')) {
          settings[spec.key] = { '*': true, ...(raw as Record<string, boolean>) };
        } else {
          problems.push(`${where} must map language ids to true or false; using the default`);
        }
        break;
    }
  }
  return { settings: settings as unknown as Settings, problems };
}

export function languageEnabled(s: Settings, languageId: string): boolean {
  // Own keys only: a language id such as "constructor" must not find Object.prototype's members.
  const own = (id: string): boolean | undefined => (Object.hasOwn(s.languages, id) ? s.languages[id] : undefined);
  return own(languageId) ?? own('*') ?? true;
}

/** The workspace n-gram model reads at most this much text: enough to recall the workspace's names, built in seconds. */
export const NGRAM_MAX_MB = 4;
