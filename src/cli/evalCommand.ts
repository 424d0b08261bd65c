/** `inkling eval <modelDir> <folder>`: held-out bits per character of the text files in a folder. */
import path from 'node:path';
import { collectCorpus } from '../corpus';
import { DOCUMENT_SEPARATOR, evaluateText, loadModel } from '../engine';
import { createKernels } from '../engine/kernels';
import { list, num, parse } from './args';
import { UsageError } from './errors';

export async function evalCommand(argv: string[]): Promise<void> {
  const { values: v, positionals } = parse(argv, {
    'max-chars': { type: 'string' },
    'max-file-bytes': { type: 'string' },
    include: { type: 'string', multiple: true },
    exclude: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 2) throw new UsageError('usage: inkling eval <modelDir> <folder> [--max-chars N] [--json]');
  const model = await loadModel(positionals[0]!);
  const folder = path.resolve(positionals[1]!);
  const report = await collectCorpus(folder, {
    include: list(v, 'include'), exclude: list(v, 'exclude'), maxFileBytes: num(v, 'max-file-bytes'),
  });
  if (report.files.length === 0) throw new UsageError(`no usable text files in ${folder}`);
  const text = report.files.map((f) => f.text).join(DOCUMENT_SEPARATOR);
  const { kernels } = await createKernels();
  const t0 = performance.now();
  const r = evaluateText(kernels, model, text, { maxChars: num(v, 'max-chars') });
  kernels.dispose();
  const out = { bitsPerChar: Number(r.bitsPerChar.toFixed(4)), chars: r.chars, files: report.files.length, seconds: Number(((performance.now() - t0) / 1000).toFixed(2)) };
  if (v.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else process.stdout.write(`${out.bitsPerChar} bits/char over ${out.chars} characters of ${out.files} file(s)\n`);
}
