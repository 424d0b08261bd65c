/**
 * A plain-language reading of validation bits per character (the model's average surprise on held-out files of the
 * workspace, lower is better). The bands are rough: for comparison, general-purpose compressors (gzip, xz) need
 * about 2 to 3 bits per character on source code and prose, and guessing uniformly among 100 characters costs 6.6.
 * Pure.
 */
import type { QualityLevel, QualityView } from './dashboardProtocol';

const BANDS: { below: number; level: QualityLevel; reading: string }[] = [
  { below: 1.5, level: 'excellent', reading: 'under 1.5 bits/char: the model predicts your text very well; expect long, accurate suggestions' },
  { below: 2, level: 'good', reading: 'under 2 bits/char: the model knows your text well; suggestions are often right' },
  { below: 2.5, level: 'fair', reading: 'around what a compressor achieves: it has learned your vocabulary and common patterns; short suggestions are useful' },
  { below: 3.5, level: 'learning', reading: 'still learning: it knows spelling and layout but little else yet; train longer' },
  { below: Number.POSITIVE_INFINITY, level: 'early', reading: 'early days: little of what it learned carries over to files it has not seen; train longer or on more text' },
];

export function qualityLevel(bits: number | null): QualityLevel {
  if (bits === null || !Number.isFinite(bits) || bits < 0) return 'none';
  return BANDS.find((b) => bits < b.below)!.level;
}

/**
 * @param now validation bits per character of the latest validation, or null
 * @param best best validation so far (the model being used), or null
 */
export function describeQuality(now: number | null, best: number | null): QualityView {
  const ref = best ?? now;
  const level = qualityLevel(ref);
  const reading = level === 'none'
    ? 'not measured yet: held-out files are scored during training and at its end'
    : BANDS.find((b) => b.level === level)!.reading;
  return { now: finiteOrNull(now), best: finiteOrNull(best), level, reading };
}

export function finiteOrNull(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}
