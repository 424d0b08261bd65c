/**
 * Messages between the extension host and its two workers. Pure types, shared by both ends.
 * Training worker: corpus → training → checkpoints in the model folder. Completion worker: loads the model
 * folder and answers completion and sample requests, keeping the recurrent state of each document.
 */
import type { TrainProgress } from './progress';
import type { ModelConfig, TrainConfig } from './modelConfig';
import type { KernelChoice } from './modelConfig';

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
  createdAt: string;
  kernels: string;
}

/** The workspace n-gram model held by the completion worker. */
export interface IndexInfo {
  files: number;
  chars: number;
  contexts: number;
  megabytes: number;
  seconds: number;
}

export type TrainingRequest =
  | {
    type: 'train'; id: number; roots: string[]; modelDir: string;
    /** Continue from the model in modelDir (keeps its vocabulary and shape) instead of starting fresh. */
    resume: boolean;
    corpus: { include: string[]; exclude: string[]; maxTotalBytes: number };
    model: Partial<ModelConfig>; train: Partial<TrainConfig>; kernels: KernelChoice;
  }
  | {
    /** Brief training on a few saved files, read through the same corpus rules (ignores, secrets) as training. */
    type: 'finetune'; id: number; files: { root: string; paths: string[] }[]; exclude: string[]; modelDir: string;
    maxSteps: number; kernels: KernelChoice;
  }
  | { type: 'import'; id: number; from: string; modelDir: string }
  | { type: 'stop' };

export type TrainingEvent =
  | { type: 'started'; id: number; kernels: string; kernelsNote?: string }
  | { type: 'corpus'; id: number; corpus: CorpusInfo }
  | { type: 'progress'; id: number; progress: TrainProgress }
  | { type: 'checkpoint'; id: number; valBits: number }
  | { type: 'done'; id: number; stopReason: string; progress: TrainProgress | null; model: ModelInfo | null }
  | { type: 'error'; id: number; message: string };

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
  }
  | { type: 'sample'; id: number; prompt: string; temperature: number; maxChars: number; seed: number }
  | {
    /** Builds the workspace n-gram model (suggestions before the LSTM is trained; mixed with it after). */
    type: 'index'; id: number; roots: string[]; corpus: { include: string[]; exclude: string[]; maxTotalBytes: number };
  }
  | { type: 'forget'; doc: string }
  /** An open document's text: its lines not read yet feed the n-gram and match models. */
  | { type: 'observe'; doc: string; text: string };

export type CompletionResponse =
  | { type: 'loaded'; id: number; model: ModelInfo | null }
  | { type: 'unloaded'; id: number }
  | {
    type: 'completion'; id: number; items: string[]; ms: number; cold: boolean; fed: number;
    /** Which model answered. */
    source: 'lstm' | 'mixed' | 'ngram' | 'none';
  }
  | { type: 'indexed'; id: number; index: IndexInfo | null }
  | { type: 'sample'; id: number; text: string }
  | { type: 'error'; id: number; message: string };
