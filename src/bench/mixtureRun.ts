/**
 * The mixture's bits per character on held-out text as `inkling eval` scores it the way the extension runs it
 * (adapting, rehearsing every 256 characters), and what the LSTM adds, without the rest of the evaluation
 * (ghost-text simulations, baselines): quick enough to compare mixing and adaptation variants on a trained model.
 *
 * Usage: `npx tsc -b && node out/src/bench/mixtureRun.js <modelDir> <held-out folder> <training folder> [--chars N] [--static]
 *          [--adapt-rate R]`
 */
import { collectCorpus } from '../corpus';
import { loadModel } from '../engine/format';
import { createKernels } from '../engine/kernels';
import { Predictor } from '../engine/predictor';
import { AS_THE_EXTENSION, scoreMixed } from '../eval/mixture';
import { MatchModel, MixedPredictor } from '../mix';
import { addScoringTail } from '../mix/prior';
import { NGramModel } from '../ngram';
import { DOCUMENT_SEPARATOR } from '../engine';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function texts(folder: string): Promise<string[]> {
  return (await collectCorpus(folder, {})).files.map((f) => f.text);
}

async function main(): Promise<void> {
  const [modelDir, heldOut, trainDir] = process.argv.slice(2);
  if (!modelDir || !heldOut || !trainDir) throw new Error('usage: mixtureRun <modelDir> <held-out folder> <training folder> [--chars N] [--static] [--adapt-rate R]');
  const model = await loadModel(modelDir);
  const held = (await texts(heldOut)).join(DOCUMENT_SEPARATOR);
  const chars = Number(arg('chars') ?? held.length);
  const test = held.slice(0, chars);
  const train = await texts(trainDir);
  const ngram = new NGramModel();
  const ngramBits = addScoringTail(ngram, train);
  const matches = new MatchModel();
  for (const t of train) matches.addText(t);
  const prior = { lstmBits: model.meta.training?.validationBitsPerChar ?? null, ngramBits };
  const { kernels } = await createKernels({ threads: 1 });
  const statik = process.argv.includes('--static');
  const rate = arg('adapt-rate');
  const lstm = new Predictor(kernels, model.config, model.weights, statik ? { adaptRate: 0 } : rate !== undefined ? { adaptRate: Number(rate) } : {});
  const t0 = performance.now();
  const r = scoreMixed(new MixedPredictor(lstm, model.vocab, ngram, undefined, matches, { prior }), test, '\n', statik ? {} : AS_THE_EXTENSION);
  process.stdout.write(`${JSON.stringify({
    chars: r.chars, mixture: +r.bitsPerChar.toFixed(4), lstm: +r.lstmBitsPerChar.toFixed(4), ngramPart: +r.ngramBitsPerChar.toFixed(4),
    lstmAdds: +(r.ngramBitsPerChar - r.bitsPerChar).toFixed(4), rehearsals: r.rehearsals, seconds: +((performance.now() - t0) / 1000).toFixed(1),
  })}\n`);
  kernels.dispose();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
