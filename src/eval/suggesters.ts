/**
 * The suggestion the extension would show, as a function of the text before the cursor, for the keystroke
 * simulation: the same context length, per-document state reuse, greedy generation, length limit and
 * end-of-line rule as the provider. Also the n-gram baseline under the same rules.
 */
import { DocumentStates } from '../completion/stateCache';
import { trimSuggestion } from '../completion/rules';
import type { SavedModel } from '../engine/format';
import { generate } from '../engine/generate';
import type { Kernels } from '../engine/kernels/types';
import { Predictor } from '../engine/predictor';
import type { NGramModel } from '../ngram';
import type { Suggest } from './keystrokes';

export interface SuggestRules {
  /** @default 256, as `inkling.completion.contextChars` */
  contextChars: number;
  /** @default 48, as `inkling.completion.maxChars` */
  maxChars: number;
}

export const DEFAULT_RULES: SuggestRules = { contextChars: 256, maxChars: 48 };

function indentOfLastLine(before: string): string {
  const line = before.slice(before.lastIndexOf('\n') + 1);
  return /^[ \t]*/.exec(line)![0];
}

export function modelSuggester(kernels: Kernels, model: SavedModel, rules: SuggestRules = DEFAULT_RULES): Suggest {
  const predictor = new Predictor(kernels, model.config, model.weights);
  const states = new DocumentStates(predictor, model.vocab);
  return (before) => {
    const context = before.slice(-rules.contextChars);
    const p = states.prepare('eval', context, before.length <= rules.contextChars);
    const raw = generate(predictor, model.vocab, p.state, p.probs, { temperature: 0, maxChars: rules.maxChars, stopBefore: (c) => c === '\n' });
    return trimSuggestion(raw, { multiline: false, indent: indentOfLastLine(before) });
  };
}

export function ngramSuggester(ngram: NGramModel, rules: SuggestRules = DEFAULT_RULES): Suggest {
  return (before) => {
    const raw = ngram.complete(before.slice(-rules.contextChars), rules.maxChars, (c) => c === '\n');
    return trimSuggestion(raw, { multiline: false, indent: indentOfLastLine(before) });
  };
}
