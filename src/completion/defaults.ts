import { defaultSettings } from '../shared/settings';

/**
 * Defaults of the ghost text's length rule, shared by the extension's settings and `inkling eval`.
 *
 * DEFAULT_CONFIDENCE (the setting `inkling.completion.confidence`): a suggestion is shown as far as the model's estimate that all of it is right stays at or
 * above this (see confident.ts). Chosen from the precision/recall curve of `inkling eval` after the default
 * training on the README's codebases (the figures are in the README): it is the lowest threshold at which
 * precision stays at or above one half.
 *
 * DEFAULT_READ_COST: what reading one character of ghost text costs the simulated user, in keystrokes. Reading
 * runs at about five times typing speed (some 250 words a minute against 50), so a fifth of a keystroke.
 */
export const DEFAULT_CONFIDENCE = defaultSettings().confidence;
export const DEFAULT_READ_COST = 0.2;
