/**
 * `inkling eval <modelDir> <folder> [--train <folder>]`: held-out bits per character of the text files in a folder,
 * keystroke savings of a simulated user typing them (with the extension's own suggestion rules), suggestion
 * latency, and the same figures for baselines computed in the same run: an n-gram model (Kneser-Ney) trained on
 * `--train`, and xz / PPMd conditional bits per character given the training text.
 */
import path from 'node:path';
import { collectCorpus } from '../corpus';
import { DOCUMENT_SEPARATOR, loadModel } from '../engine';
import { Predictor } from '../engine/predictor';
import { MatchModel, MixedPredictor } from '../mix';
import { scoreMixed } from '../eval/mixture';
import { createKernels } from '../engine/kernels';
import { percentile } from '../shared/percentile';
import { coldContextStudy, type ColdContextRow } from '../eval/coldContext';
import { conditionalBitsPerChar } from '../eval/compressors';
import { savings, simulateTyping } from '../eval/keystrokes';
import { modelSuggester, ngramSuggester } from '../eval/suggesters';
import { NGramModel } from '../ngram';
import { list, num, parse, str } from './args';
import { UsageError } from './errors';

async function folderText(folder: string, v: Record<string, unknown>): Promise<{ text: string; files: number; texts: string[] }> {
  const report = await collectCorpus(folder, {
    include: list(v, 'include'), exclude: list(v, 'exclude'), maxFileBytes: num(v, 'max-file-bytes'),
  });
  if (report.files.length === 0) throw new UsageError(`no usable text files in ${folder}`);
  const texts = report.files.map((f) => f.text);
  return { text: texts.join(DOCUMENT_SEPARATOR), files: texts.length, texts };
}

const r4 = (x: number): number => Number(x.toFixed(4));

export async function evalCommand(argv: string[]): Promise<void> {
  const { values: v, positionals } = parse(argv, {
    'max-chars': { type: 'string' },
    'typing-chars': { type: 'string' },
    'max-file-bytes': { type: 'string' },
    train: { type: 'string' },
    include: { type: 'string', multiple: true },
    exclude: { type: 'string', multiple: true },
    'cold-contexts': { type: 'string' },
    'cold-samples': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 2) throw new UsageError('usage: inkling eval <modelDir> <folder> [--train <folder>] [--max-chars N] [--typing-chars N] [--cold-contexts 64,128,...] [--json]');
  const model = await loadModel(positionals[0]!);
  const folder = path.resolve(positionals[1]!);
  const held = await folderText(folder, v);
  const maxChars = num(v, 'max-chars');
  const typingChars = num(v, 'typing-chars') ?? 5000;
  const test = maxChars ? held.text.slice(0, maxChars) : held.text;
  const typed = test.slice(0, typingChars);
  const log = (s: string): void => { if (!v.json) process.stderr.write(`${s}\n`); };

  // The workspace n-gram model Inkling mixes with the LSTM: built from the training folder when given (as the
  // extension builds it from the workspace), else empty (it then learns only from the text as it is read).
  const trainFolder = str(v, 'train');
  const train = trainFolder ? await folderText(path.resolve(trainFolder), v) : null;
  const ngram = new NGramModel();
  if (train) for (const t of train.texts) ngram.add(t);
  // Inkling's own copy of the workspace for long-range matches (as the extension keeps one); each use learns, so
  // each gets a copy.
  const matches = new MatchModel();
  if (train) for (const t of train.texts) matches.addText(t);
  const workspaceMatches = (): MatchModel => matches.clone();

  const single = (await createKernels({ threads: 1 })).kernels;
  const t0 = performance.now();
  const r = scoreMixed(new MixedPredictor(new Predictor(single, model.config, model.weights), model.vocab, ngram.clone(), undefined, workspaceMatches()), test);
  // The n-gram model alone, learning from the held-out text as it reads it (Inkling's n-gram part without matches).
  const ngramAdaptive = ngram.bitsPerChar(test, { adaptive: true, history: '\n' });
  log(`Inkling: ${r.bitsPerChar.toFixed(3)} bits/char over ${r.chars} characters of ${held.files} file(s) ` +
    `(LSTM alone ${r.lstmBitsPerChar.toFixed(3)}, n-gram with matches ${r.ngramBitsPerChar.toFixed(3)}, adaptive n-gram alone ${ngramAdaptive.toFixed(3)})`);
  const typing = simulateTyping(typed, () => modelSuggester(single, model, undefined, ngram.clone(), workspaceMatches()));
  const cold = str(v, 'cold-contexts');
  let coldRows: ColdContextRow[] | undefined;
  if (cold) {
    const contexts = cold.split(',').map((x) => Number(x));
    if (contexts.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError('--cold-contexts takes positive integers, e.g. 64,128,256');
    // The LSTM alone: the context length only matters for its recurrent state (the n-gram and match models read
    // the last few characters), and a mixture that does not learn here would blur the comparison.
    coldRows = coldContextStudy(new Predictor(single, model.config, model.weights), model.vocab, held.texts, { contexts, samples: num(v, 'cold-samples') ?? 100 });
    for (const row of coldRows) {
      log(`  LSTM cold start from ${row.contextChars ? `${row.contextChars} characters` : 'the whole file'}: ${row.bitsPerChar.toFixed(3)} bits/char over the next 64, ` +
        `suggestion right ${(row.suggestionRight * 100).toFixed(1)}%, ${row.meanRightChars.toFixed(2)} characters right on average, ${row.primeMsP50 === null ? 'state carried along the file' : `state built in ${row.primeMsP50.toFixed(1)} ms (p50)`}`);
    }
  }
  single.dispose();
  const s = savings(typing);
  const out: Record<string, unknown> = {
    bitsPerChar: r4(r.bitsPerChar), lstmBitsPerChar: r4(r.lstmBitsPerChar), ngramWithMatchesBitsPerChar: r4(r.ngramBitsPerChar),
    chars: r.chars, files: held.files,
    unknownChars: r.unknownChars, mixingWeights: r.weights.map((w) => Number(w.toFixed(3))),
    keystrokeSavings: { full: r4(s.full), word: r4(s.word) }, fullAcceptRate: r4(s.fullAcceptRate),
    typedChars: typed.length,
    latencyMs: { p50: r4(percentile(typing.latenciesMs, 50)), p95: r4(percentile(typing.latenciesMs, 95)) },
    seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
  };
  if (coldRows) {
    out.coldContext = coldRows.map((row) => ({
      contextChars: row.contextChars, bitsPerChar: r4(row.bitsPerChar), suggestionRight: r4(row.suggestionRight),
      meanRightChars: r4(row.meanRightChars), primeMsP50: row.primeMsP50 === null ? null : r4(row.primeMsP50),
    }));
  }
  log(`  keystroke savings over ${typed.length} typed characters: ${(s.full * 100).toFixed(1)}% (full accept), ${(s.word * 100).toFixed(1)}% (by word); ${(s.fullAcceptRate * 100).toFixed(1)}% of shown suggestions accepted in full`);

  if (train) {
    const ngramTyping = simulateTyping(typed, () => ngramSuggester(ngram));
    const ns = savings(ngramTyping);
    const baselines: Record<string, unknown> = {
      ngram: {
        bitsPerChar: r4(ngram.bitsPerChar(test)), keystrokeSavings: { full: r4(ns.full), word: r4(ns.word) },
        fullAcceptRate: r4(ns.fullAcceptRate),
        latencyMs: { p50: r4(percentile(ngramTyping.latenciesMs, 50)), p95: r4(percentile(ngramTyping.latenciesMs, 95)) },
      },
      // The same n-gram model learning from the held-out text as it is read (as Inkling's own n-gram part does).
      ngramAdaptive: { bitsPerChar: r4(ngramAdaptive) },
    };
    for (const tool of ['xz', 'ppmd'] as const) {
      const bits = await conditionalBitsPerChar(train.text, test, tool);
      baselines[tool] = typeof bits === 'number' ? { bitsPerChar: r4(bits) } : bits;
    }
    out.baselines = baselines;
    log(`  baselines: ${JSON.stringify(baselines)}`);
  }
  if (v.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else process.stdout.write(`${out.bitsPerChar} bits/char over ${out.chars} characters of ${out.files} file(s)\n`);
}
