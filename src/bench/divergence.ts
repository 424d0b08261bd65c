/**
 * Does training diverge? Runs short training runs (default 60 s each, default model, the shipped kernels) with
 * different seeds on several corpora and prints, per run: steps, vocabulary, uniform bits (log2 of the vocabulary),
 * every validation, the best and the final validation, the final training loss, the out-of-vocabulary characters
 * of the held-out text, and the rollbacks the trainer made. A run fails the check when it ends with validation more
 * than 0.5 bits/char above its best, or its best is worse than uniform. Exit code 1 when any run fails.
 *
 * Corpora: `fixture` (test/fixtures/workspace), `self` (Inkling's own sources, as `inkling train` with no folder),
 * `rare` (a generated workspace of 30 files, each with its own rare symbol, so held-out files hold symbols training
 * never sees), or any folder path.
 *
 * Usage: `npx tsc -b && node out/src/bench/divergence.js [--seconds 60 | --steps N] [--runs 10] [--corpora fixture,self]
 *         [--seed0 1] [--validate-every 15] [--json]`
 * `--steps N` trains N steps instead of for a time (what 60 s gives on an idle machine, when the machine is loaded).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectCorpus, splitByFile } from '../corpus';
import { DEFAULT_CORPUS_INCLUDE, packageRoot } from '../corpus/packagePaths';
import { DEFAULT_TRAIN } from '../shared/modelConfig';
import { createKernels } from '../engine/kernels';
import { trainOnText } from '../engine/pipeline';
import { writeRareSymbolWorkspace } from './rareSymbols';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

async function corpusFolder(name: string): Promise<{ folder: string; include?: string[] }> {
  if (name === 'self') return { folder: packageRoot(), include: DEFAULT_CORPUS_INCLUDE };
  if (name === 'fixture') return { folder: path.join(packageRoot(), 'test', 'fixtures', 'workspace') };
  if (name === 'rare') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'inkling-rare-'));
    writeRareSymbolWorkspace(dir);
    return { folder: dir };
  }
  return { folder: path.resolve(name) };
}

interface Row {
  corpus: string; seed: number; steps: number; vocab: number; uniform: number; validations: number[];
  best: number; final: number; train: number; oov: number; rollbacks: number; ok: boolean; why: string;
}

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '60'));
  const steps = Number(arg('steps', '0'));
  const runs = Number(arg('runs', '10'));
  const seed0 = Number(arg('seed0', '1'));
  const validateEvery = Number(arg('validate-every', '15'));
  const corpora = arg('corpora', 'fixture,self').split(',');
  const json = process.argv.includes('--json');
  const rows: Row[] = [];
  for (const name of corpora) {
    const { folder, include } = await corpusFolder(name);
    const report = await collectCorpus(folder, { include });
    const split = splitByFile(report.files, DEFAULT_TRAIN.validationFraction, DEFAULT_TRAIN.seed); // as the CLI and the extension split
    for (let r = 0; r < runs; r++) {
      const seed = seed0 + r;
      const { kernels } = await createKernels({ prefer: 'wasm' });
      const validations: number[] = [];
      try {
        const result = await trainOnText({
          kernels,
          texts: { train: split.train.map((f) => f.text), validation: split.validation.map((f) => f.text) },
          train: steps > 0 ? { minutes: 0, maxSteps: steps, seed, validateEverySeconds: validateEvery } : { minutes: seconds / 60, seed, validateEverySeconds: validateEvery },
          onProgress: (p) => { if (p.validated) validations.push(p.valBits); },
        });
        const uniform = Math.log2(result.vocab.size);
        const rollbacks = result.rollbacks;
        const best = Math.min(...validations);
        const final = validations[validations.length - 1] ?? Number.NaN;
        const problems: string[] = [];
        if (final > best + 0.5) problems.push(`final ${final.toFixed(2)} > best + 0.5`);
        if (!(best < uniform)) problems.push(`best ${best.toFixed(2)} >= uniform ${uniform.toFixed(2)}`);
        const row: Row = {
          corpus: name, seed, steps: result.progress.step, vocab: result.vocab.size, uniform, validations, best, final,
          train: result.progress.trainBits, oov: result.meta.training?.validationUnknownChars ?? 0, rollbacks,
          ok: problems.length === 0, why: problems.join('; '),
        };
        rows.push(row);
        if (!json) {
          process.stdout.write(`| ${name} | ${seed} | ${row.steps} | ${row.vocab} | ${uniform.toFixed(2)} | ${validations.map((x) => x.toFixed(2)).join(' → ')} | ` +
            `${best.toFixed(3)} | ${final.toFixed(3)} | ${row.train.toFixed(3)} | ${(final - row.train).toFixed(2)} | ${row.oov} | ${rollbacks} | ${row.ok ? 'ok' : `FAIL: ${row.why}`}${result.stopReason === 'stalled' ? ' (stopped early)' : ''} |\n`);
        }
      } finally {
        kernels.dispose();
      }
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(rows)}\n`);
  const failed = rows.filter((r) => !r.ok).length;
  process.stdout.write(`${rows.length} runs, ${failed} failed the check\n`);
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) {
  if (!process.argv.includes('--json')) {
    process.stdout.write('| corpus | seed | steps | vocab | uniform | validations (bits/char) | best | final | train | final − train | held-out OOV | rollbacks | check |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n');
  }
  main().catch((e: Error) => { console.error(e); process.exit(2); });
}
