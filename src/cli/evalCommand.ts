/**
 * `inkling eval <modelDir> <folder> [--train <folder>]`: reads the text files of the folders and runs the
 * evaluation of src/eval/evaluate.ts on them (bits per character, keystroke savings, ghost text, latency,
 * baselines).
 */
import path from 'node:path';
import { collectCorpus } from '../corpus';
import { DOCUMENT_SEPARATOR, loadModel } from '../engine';
import { evaluate, type EvalText } from '../eval/evaluate';
import { list, num, parse, str } from './args';
import { UsageError } from './errors';

async function folderText(folder: string, v: Record<string, unknown>): Promise<EvalText> {
  const report = await collectCorpus(folder, {
    include: list(v, 'include'), exclude: list(v, 'exclude'), maxFileBytes: num(v, 'max-file-bytes'),
  });
  if (report.files.length === 0) throw new UsageError(`no usable text files in ${folder}`);
  const texts = report.files.map((f) => f.text);
  return { text: texts.join(DOCUMENT_SEPARATOR), files: texts.length, texts, named: report.files.map((f) => ({ path: f.path, text: f.text })) };
}

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
    confidence: { type: 'string' },
    'read-cost': { type: 'string' },
    mixing: { type: 'string' },
    sse: { type: 'string' },
  });
  if (positionals.length !== 2) throw new UsageError('usage: inkling eval <modelDir> <folder> [--train <folder>] [--max-chars N] [--typing-chars N] [--cold-contexts 64,128,...] [--json]');
  const model = await loadModel(positionals[0]!);
  const folder = path.resolve(positionals[1]!);
  const held = await folderText(folder, v);

  // The workspace n-gram model Inkling mixes with the LSTM: built from the training folder when given (as the
  // extension builds it from the workspace), else empty (it then learns only from the text as it is read).
  const trainFolder = str(v, 'train');
  const train = trainFolder ? await folderText(path.resolve(trainFolder), v) : null;
  const confidence = num(v, 'confidence');
  const readCost = num(v, 'read-cost');
  if (confidence !== undefined && !(confidence >= 0 && confidence <= 1)) throw new UsageError('--confidence must be from 0 to 1');
  if (readCost !== undefined && !(readCost >= 0)) throw new UsageError('--read-cost must be 0 or more');
  const mixing = str(v, 'mixing') ?? 'logistic';
  if (mixing !== 'logistic' && mixing !== 'linear') throw new UsageError('--mixing must be logistic or linear');
  const sse = str(v, 'sse') ?? 'on';
  if (sse !== 'on' && sse !== 'off') throw new UsageError('--sse must be on or off');
  const cold = str(v, 'cold-contexts');
  const coldContexts = cold?.split(',').map((x) => Number(x));
  if (coldContexts?.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError('--cold-contexts takes positive integers, e.g. 64,128,256');
  const out = await evaluate(model, held, train, {
    maxChars: num(v, 'max-chars'), typingChars: num(v, 'typing-chars'), coldContexts, coldSamples: num(v, 'cold-samples'),
    confidence, readCost, mixing, sse: sse === 'on',
    log: (s) => { if (!v.json) process.stderr.write(`${s}\n`); },
  });
  if (v.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else process.stdout.write(`${out.bitsPerChar} bits/char over ${out.chars} characters of ${out.files} file(s)\n`);
}
