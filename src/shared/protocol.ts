/**
 * Messages between the extension host and its two workers. Pure types, shared by both ends.
 * Training worker: corpus → training → checkpoints in the model folder. Completion worker: loads the model
 * folder and answers completion and sample requests, keeping the recurrent state of each document.
 */
import type { HeldOutComparison, TrainProgress } from './progress';
import type { ModelConfig, TrainConfig } from './modelConfig';
import type { KernelChoice } from './modelConfig';

/** What to read of the workspace: globs, the size cap, and each folder's own globs (multi-root workspaces). */
export interface CorpusRequest {
  include: string[];
  exclude: string[];
  maxTotalBytes: number;
  /** A folder's own `inkling.training.include` / `exclude`, read with that folder as the resource. */
  folders?: { root: string; include: string[]; exclude: string[] }[];
}

export interface CorpusInfo {
  files: number;
  chars: number;
  skipped: Record<string, number>;
  /** A few example skipped paths with their reasons. */
  examples: { path: string; reason: string }[];
  maskedSecrets: number;
  truncated: boolean;
  report: string;
}

export interface ModelInfo {
  config: ModelConfig;
  parameters: number;
  validationBitsPerChar: number | null;
  trainedSteps: number;
  /** Training time of every run that built it, in seconds. */
  trainedSec: number;
  createdAt: string;
  kernels: string;
  /** Held-out characters outside the vocabulary at the model's validation (not part of validationBitsPerChar). */
  validationUnknownChars?: number | null;
  /** The held-out comparison with the n-gram/match model alone, when it was measured. */
  heldOut?: HeldOutComparison | null;
  /** Which model suggests with this one loaded, and why (see `src/eval/heldOut.ts`). */
  suggests?: { source: 'mixed' | 'ngram'; why: string };
}

/** The workspace n-gram model held by the completion worker. */
export interface IndexInfo {
  files: number;
  chars: number;
  contexts: number;
  megabytes: number;
  seconds: number;
  /** The files were those the first-run survey had just read (not read a second time). */
  fromSurvey?: boolean;
}

/** What training would read (the first-run offer says it): files and characters kept, entries skipped by reason. */
export interface CorpusSurvey {
  files: number;
  chars: number;
  /** The size cap stopped the reading. */
  truncated: boolean;
  /** Entries skipped, by reason (only reasons with at least one). */
  skipped: Record<string, number>;
}

export type TrainingRequest =
  | {
    type: 'train'; id: number; roots: string[]; modelDir: string;
    /** Continue from the model in modelDir (keeps its vocabulary and shape) instead of starting fresh. */
    resume: boolean;
    corpus: CorpusRequest;
    model: Partial<ModelConfig>; train: Partial<TrainConfig>; kernels: KernelChoice;
    /** The ghost text threshold (`inkling.completion.confidence`) of the held-out figures at the end of the run. */
    confidence?: number;
  }
  | {
    /**
     * Brief training on a few saved files, read through the same corpus rules (ignores, secrets) as training. The
     * fine-tuned weights are kept only when they score better on the workspace's held-out files (read from `roots`
     * with `corpus`) than the current model.
     */
    /** The saved files: they are taken from the workspace corpus (`corpus`, each folder's own rules), never read apart. */
    type: 'finetune'; id: number; files: { root: string; paths: string[] }[]; modelDir: string;
    maxSteps: number; kernels: KernelChoice;
    roots: string[]; corpus: CorpusRequest;
  }
  | {
    /**
     * Makes `from` this workspace's model when it is not worse than the current one on the held-out files (read
     * from `roots`; with none, only when there is no current model).
     */
    type: 'import'; id: number; from: string; modelDir: string;
    roots: string[]; corpus: CorpusRequest;
  }
  | { type: 'stop' };

export type TrainingEvent =
  | { type: 'started'; id: number; kernels: string; kernelsNote?: string }
  | { type: 'corpus'; id: number; corpus: CorpusInfo }
  | { type: 'progress'; id: number; progress: TrainProgress }
  | { type: 'checkpoint'; id: number; valBits: number }
  /** Something the run's log should say once: a rollback after a divergence, a lowered learning rate. */
  | { type: 'notice'; id: number; message: string }
  | {
    type: 'done'; id: number; stopReason: string; progress: TrainProgress | null; model: ModelInfo | null;
    /** Set when the stored model was kept (the new weights were not better): why. `model` is then the stored one. */
    kept?: string;
    /** A plain warning for the user (e.g. the trained model is worse than the n-gram/match model alone). */
    warning?: string;
  }
  | {
    type: 'error'; id: number; message: string;
    /** `model-unreadable`: the stored model cannot be loaded (the message says why); nothing was overwritten. */
    code?: 'model-unreadable';
  };

export type CompletionRequest =
  | { type: 'load'; id: number; modelDir: string }
  | { type: 'unload'; id: number }
  | {
    type: 'complete'; id: number; doc: string; context: string;
    /** The context is the document's whole text before the cursor. */
    wholePrefix: boolean; alternatives: number; temperature: number;
    maxChars: number; stopAtNewline: boolean; seed: number;
    /** Mix the LSTM with the workspace n-gram model (when both exist). */
    mix: boolean;
    /** Show a suggestion only as far as the estimated probability that all of it is right stays at or above this. */
    confidence: number;
    /** VS Code's language id of the document (comments and prose are told apart by it). */
    languageId: string;
    /**
     * The models may learn from the newly typed text (the LSTM's output layer, the n-gram and match models, the
     * mixing weights). The worker never learns from a document training would skip (by its name, an exclude glob,
     * .gitignore, its content; judged as for the open documents the models read). @default true
     */
    learn?: boolean;
  }
  | { type: 'sample'; id: number; prompt: string; temperature: number; maxChars: number; seed: number }
  | {
    /** Builds the workspace n-gram model (suggestions before the LSTM is trained; mixed with it after). */
    type: 'index'; id: number; roots: string[]; corpus: CorpusRequest;
  }
  /** What training would read under these rules (read in the worker: nothing trained). */
  | { type: 'survey'; id: number; roots: string[]; corpus: CorpusRequest }
  | { type: 'forget'; doc: string }
  /** An open document's text: its lines not read yet feed the n-gram and match models. */
  | { type: 'observe'; doc: string; text: string }
  /**
   * Rehearse now (a document was saved): a few BPTT steps of the LSTM on what the user wrote since the last
   * rehearsal (the worker also rehearses by itself when the user pauses). See Predictor.rehearse.
   */
  | { type: 'rehearse'; id: number };

/** What one rehearsal did (see Predictor.rehearse); null when there was nothing to do (no LSTM, too little new text). */
export interface RehearsalInfo {
  steps: number;
  chars: number;
  /** Mean loss on the rehearsed text before each step. */
  bitsPerChar: number;
  ms: number;
  /** Rehearsals since the model was loaded, this one included. */
  count: number;
}

export type CompletionResponse =
  | { type: 'loaded'; id: number; model: ModelInfo | null }
  | { type: 'unloaded'; id: number }
  | {
    type: 'completion'; id: number; items: string[]; ms: number; cold: boolean; fed: number;
    /** Which model answered. */
    source: 'lstm' | 'mixed' | 'ngram' | 'none';
  }
  | { type: 'indexed'; id: number; index: IndexInfo | null }
  | { type: 'surveyed'; id: number; survey: CorpusSurvey }
  | { type: 'sample'; id: number; text: string }
  | { type: 'rehearsed'; id: number; rehearsal: RehearsalInfo | null }
  | { type: 'error'; id: number; message: string };
