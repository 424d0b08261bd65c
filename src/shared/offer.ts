/**
 * The first-run offer's text (pure): what training would read (files, characters, what is skipped and why) and how
 * long it takes on this machine, with what that time buys at a conservative training speed for the model's size.
 */
import type { CorpusSurvey } from './protocol';

/** Why entries are skipped, as the offer says it. */
const REASONS: Record<string, string> = {
  ignored: 'ignored by .gitignore', excluded: 'excluded (settings, dependency and build folders)', secret: 'secret files',
  generated: 'generated', binary: 'binary', 'not-utf8': 'not UTF-8', minified: 'minified', 'too-large': 'too large',
  'over-cap': 'over the size cap', symlink: 'links', unreadable: 'unreadable', vanished: 'gone while reading',
};

/**
 * Training speed, characters a second, of the reference model (embedding 32, 2 × LSTM 256) on this project's
 * kernels under heavy load from other work: the README measures 4,300 to 6,800 idle and 1,313 under load; the
 * offer uses the low figure so that what it promises holds on a busy laptop.
 */
export const CONSERVATIVE_REFERENCE_CHARS_PER_SEC = 1300;

/** Multiply-adds a character of the LSTM stack costs (its gates), the reference model's being the unit. */
export function relativeCost(layers: number, units: number, embedding = 32): number {
  const cost = (l: number, h: number): number => {
    let c = 0;
    for (let i = 0; i < l; i++) c += 4 * ((i === 0 ? embedding : h) + h) * h;
    return c;
  };
  return cost(layers, units) / cost(2, 256);
}

function count(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} million`;
  return n.toLocaleString('en-US');
}

function duration(minutes: number): string {
  return minutes < 1 ? `${Math.round(minutes * 60)} seconds` : `${Number(minutes.toFixed(1))} minute${minutes === 1 ? '' : 's'}`;
}

export function offerText(survey: CorpusSurvey | null, s: { maxCorpusMB: number; trainingMinutes: number; layers: number; units: number }): string {
  const head = "Inkling can learn from this workspace's text files to suggest completions, on this machine only.";
  const skipped = survey
    ? Object.entries(survey.skipped).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1])
      .map(([r, n]) => `${count(n)} ${REASONS[r] ?? r}`)
    : [];
  const read = survey
    ? ` It would read ${count(survey.files)} file${survey.files === 1 ? '' : 's'} (${count(survey.chars)} characters${survey.truncated ? `, stopping at the ${s.maxCorpusMB} MB cap` : ''})` +
      `${skipped.length ? `, skipping ${skipped.join(', ')}` : ''}; secrets inside files are masked.`
    : ` It reads up to ${s.maxCorpusMB} MB, skipping ignored, binary, generated and secret files.`;
  const cps = CONSERVATIVE_REFERENCE_CHARS_PER_SEC / relativeCost(s.layers, s.units);
  let time = ` Training takes ${duration(s.trainingMinutes)} in the background`;
  if (survey && survey.chars > 0) {
    const passes = (cps * s.trainingMinutes * 60) / survey.chars;
    const seen = passes >= 1 ? `about ${passes < 10 ? passes.toFixed(1) : Math.round(passes)} passes over the text` : `about ${Math.max(1, Math.round(passes * 100))}% of the text`;
    time += ` (at least ${count(Math.round(cps))} characters a second for this model on a busy machine: ${seen})`;
  }
  return `${head}${read}${time}.`;
}
