import { defaultSettings } from '../shared/settings';

/**
 * Defaults of the ghost text's length rule, shared by the extension's settings and `inkling eval`.
 *
 * DEFAULT_CONFIDENCE (the setting `inkling.completion.confidence`): a suggestion is shown as far as the model's
 * estimate that all of it is right stays at or above this (see confident.ts). Chosen from the threshold curve of
 * `inkling eval` (README, "Ghost text"): 0.4 saved the most keystrokes net of reading on held-out tfjs-layers
 * (Inkling after the default training: 42.0%, 0.3 within 0.1 point, at 77% precision) and on held-out
 * `@types/node` (the n-gram part alone: 21.7%, at 63% precision); lower thresholds show more that is wrong.
 *
 * DEFAULT_READ_COST: what reading one character of ghost text costs the simulated user, in keystrokes. Reading
 * runs at about five times typing speed (some 250 words a minute against 50), so a fifth of a keystroke.
 */
export const DEFAULT_CONFIDENCE = defaultSettings().confidence;
export const DEFAULT_READ_COST = 0.2;
