/** The `inkling` command line: train, complete, eval on the same engine as the extension. */
import { benchCommand } from './bench';
import { completeCommand } from './complete';
import { UsageError } from './errors';
import { evalCommand } from './evalCommand';
import { trainCommand } from './train';
import { VERSION } from '../engine/version';

const HELP = `inkling ${VERSION}: character-level RNN completions trained on your own text, all local.

  inkling train [folder] --out <dir> [--minutes M] [--cell lstm|gru|rnn] [--layers L] [--units H]
                [--embedding E] [--dropout D] [--seq-length T] [--batch B] [--lr R] [--max-steps N]
                [--schedule invsqrt|constant|cosine] [--warmup N] [--decay-steps N] [--lr-floor F]
                [--beta1 B] [--beta2 B] [--adam-eps E] [--init torch|keras]
                [--include GLOB] [--exclude GLOB] [--max-bytes N] [--max-file-bytes N] [--resume] [--kernels wasm|js] [--json]
      Trains on the text files of <folder> (Inkling's own sources if omitted) and writes a TF.js model to <dir>.
  inkling complete <modelDir> [--temperature T] [--max-chars N] [--top-k K] [--seed S] [--json] < prefix
      Prints the model's continuation of the text on stdin (temperature 0 = greedy).
  inkling eval <modelDir> <folder> [--max-chars N] [--max-file-bytes N] [--json]
      Held-out bits per character of the text files in <folder>.
  inkling bench [--seconds S] [--skip-tfjs] [--skip-tfjs-cpu] [--skip-pytorch] [--profile] [--context-chars N] [--json]
      Training speed of the reference model on Inkling's kernels vs tf.layers (tfjs-wasm, tfjs-cpu, tfjs-node),
      side by side, and completion latency while typing and cold.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'train': await trainCommand(rest); return 0;
      case 'complete': await completeCommand(rest); return 0;
      case 'eval': await evalCommand(rest); return 0;
      case 'bench': await benchCommand(rest); return 0;
      case undefined: case 'help': case '--help': case '-h': process.stdout.write(HELP); return 0;
      case '--version': case '-v': process.stdout.write(`${VERSION}\n`); return 0;
      default: throw new UsageError(`unknown command ${JSON.stringify(command)}; run inkling --help`);
    }
  } catch (e) {
    const err = e as Error;
    process.stderr.write(`inkling: ${err.message}\n`);
    if (process.env.INKLING_DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
