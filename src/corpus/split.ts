/** Train/validation split by whole files, stable across runs and across changes to other files. */
import { utf8Length } from './fs';
import { hash53 } from './hash';
import type { CorpusFile } from './types';

/**
 * Splits `files` into training and validation sets by file, so that validation measures text the model never
 * saw.
 *
 * - A file goes to validation when the seeded hash of its path relative to its workspace folder (uniform in
 *   [0, 1)) is below `validationFraction`. Each file's side depends only on that path and the seed: adding or
 *   removing other files never moves it, no file is ever on both sides, and moving or renaming the workspace
 *   folder keeps the split (so a model's held-out figure stays comparable across runs). The fraction is of
 *   files, not characters.
 * - With two or more files and a fraction above 0, both sides are non-empty: if no file hashes below the
 *   fraction, the lowest-hashing file is moved to validation; if every file does, the highest goes back to
 *   training.
 * - With exactly one file and a fraction above 0, its text is cut instead. A file of at least
 *   {@link SINGLE_FILE_MIN_BLOCK} characters per block of a period (period = round(1 / validationFraction)) is
 *   cut into up to 10 periods of blocks at line ends, and the last block of each period is held out (pseudo-files
 *   `path#heldout-1`, `#heldout-2`, …): validation is spread over the whole file, and training still sees every
 *   region of it, the end included (holding out the tail alone took the text nearest to what the user writes
 *   next out of training; measured on tinyshakespeare, training on the first 81% instead of the first 90% costs
 *   0.24 bits/char on the last 10%). The training pieces between them keep the file's path. A smaller file keeps
 *   the tail cut: training gets the first `1 - validationFraction` of the characters (never splitting a surrogate
 *   pair) under the same path, validation the rest as `path + '#tail'`. `bytes` of each piece is the UTF-8
 *   length of its text. An empty file yields no validation.
 * - Order within each side follows the input order.
 *
 * @param validationFraction in [0, 1).
 * @param seed 32-bit integer; different seeds give independent splits. Default 0.
 * @throws RangeError when `validationFraction` is outside [0, 1).
 */
export function splitByFile(
  files: CorpusFile[],
  validationFraction: number,
  seed = 0,
): { train: CorpusFile[]; validation: CorpusFile[] } {
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new RangeError(`validationFraction must be in [0, 1), got ${validationFraction}`);
  }
  if (files.length === 0 || validationFraction === 0) return { train: [...files], validation: [] };
  if (files.length === 1) return splitSingle(files[0] as CorpusFile, validationFraction);

  const hashes = files.map((f) => hash53(f.path, seed) / 2 ** 53);
  const inValidation = hashes.map((h) => h < validationFraction);
  const count = inValidation.filter(Boolean).length;
  if (count === 0) inValidation[argBest(hashes, (a, b) => a < b)] = true;
  else if (count === files.length) inValidation[argBest(hashes, (a, b) => a > b)] = false;

  const train: CorpusFile[] = [];
  const validation: CorpusFile[] = [];
  files.forEach((f, i) => (inValidation[i] ? validation : train).push(f));
  return { train, validation };
}

function argBest(values: readonly number[], better: (a: number, b: number) => boolean): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (better(values[i] as number, values[best] as number)) best = i;
  return best;
}

/** Fewest characters of a held-out block of a single-file corpus (smaller files keep the tail cut). */
export const SINGLE_FILE_MIN_BLOCK = 4096;

function splitSingle(file: CorpusFile, fraction: number): { train: CorpusFile[]; validation: CorpusFile[] } {
  const { text } = file;
  const period = Math.max(2, Math.round(1 / fraction));
  const blocks = Math.min(10 * period, Math.floor(text.length / SINGLE_FILE_MIN_BLOCK));
  if (blocks < 2 * period) return splitTail(file, fraction);
  const piece = (from: number, to: number, path: string): CorpusFile => {
    const t = text.slice(from, to);
    return { ...file, path, text: t, bytes: Buffer.byteLength(t, 'utf8') };
  };
  // Block boundaries at the line end at or after each even cut (or the cut itself, not inside a surrogate pair).
  const bounds = [0];
  for (let j = 1; j < blocks; j++) {
    let at = Math.floor((text.length * j) / blocks);
    const nl = text.indexOf('\n', at);
    at = nl >= 0 && nl - at < SINGLE_FILE_MIN_BLOCK / 2 ? nl + 1 : at;
    const before = text.charCodeAt(at - 1);
    if (before >= 0xd800 && before <= 0xdbff) at--;
    bounds.push(Math.max(at, bounds[bounds.length - 1]!));
  }
  bounds.push(text.length);
  const train: CorpusFile[] = [];
  const validation: CorpusFile[] = [];
  let runStart = 0;
  for (let j = 0; j < blocks; j++) {
    if (j % period !== period - 1) continue;
    if (bounds[j]! > runStart) train.push(piece(runStart, bounds[j]!, file.path));
    validation.push(piece(bounds[j]!, bounds[j + 1]!, `${file.path}#heldout-${validation.length + 1}`));
    runStart = bounds[j + 1]!;
  }
  if (runStart < text.length) train.push(piece(runStart, text.length, file.path));
  return { train, validation };
}

function splitTail(file: CorpusFile, fraction: number): { train: CorpusFile[]; validation: CorpusFile[] } {
  const { text } = file;
  let cut = Math.floor(text.length * (1 - fraction));
  const before = text.charCodeAt(cut - 1);
  if (cut > 0 && before >= 0xd800 && before <= 0xdbff) cut--;
  const head = text.slice(0, cut);
  const tail = text.slice(cut);
  if (tail.length === 0) return { train: [file], validation: [] };
  return {
    train: [{ ...file, text: head, bytes: utf8Length(head) }],
    validation: [{ ...file, path: `${file.path}#tail`, text: tail, bytes: utf8Length(tail) }],
  };
}
