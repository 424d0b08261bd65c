/** `inkling complete <modelDir>`: reads a prefix on stdin and prints the model's continuation. */
import { generate, loadModel, prime, Rng } from '../engine';
import { createKernels } from '../engine/kernels';
import { Predictor } from '../engine/predictor';
import { num, parse } from './args';
import { UsageError } from './errors';

export async function completeCommand(argv: string[]): Promise<void> {
  const { values: v, positionals } = parse(argv, {
    temperature: { type: 'string', short: 't' },
    'max-chars': { type: 'string', short: 'n' },
    'top-k': { type: 'string' },
    seed: { type: 'string' },
    'stop-at-newline': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError('usage: inkling complete <modelDir> [--temperature T] [--max-chars N] < prefix.txt');
  const temperature = num(v, 'temperature') ?? 0;
  const maxChars = num(v, 'max-chars') ?? 80;
  if (!(temperature >= 0 && temperature <= 10)) throw new UsageError('--temperature must be from 0 to 10');
  if (!(Number.isInteger(maxChars) && maxChars >= 1 && maxChars <= 100_000)) throw new UsageError('--max-chars must be a whole number from 1 to 100000');
  const model = await loadModel(positionals[0]!);
  const prefix = await readStdin();
  const { kernels } = await createKernels();
  const t0 = performance.now();
  const predictor = new Predictor(kernels, model.config, model.weights);
  const { state, probs } = prime(predictor, model.vocab, prefix);
  const text = generate(predictor, model.vocab, state, probs, {
    temperature, maxChars, topK: num(v, 'top-k') ?? 0, rng: new Rng(num(v, 'seed') ?? Date.now() % 2 ** 31),
    stopBefore: v['stop-at-newline'] ? (ch) => ch === '\n' : undefined,
  });
  const ms = performance.now() - t0;
  kernels.dispose();
  if (v.json) process.stdout.write(`${JSON.stringify({ completion: text, prefixChars: prefix.length, ms: Number(ms.toFixed(2)), kernels: kernels.name })}\n`);
  else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
