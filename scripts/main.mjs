// The main job, from a fresh clone: set up, train on a folder (Inkling's own sources when none is given) with
// the headless CLI, and print completions of held-out text.
// Usage: npm start -- [folder] [--minutes M] [any other `inkling train` option]
import path from 'node:path';
import { root, run, setup } from './setup.mjs';

const args = process.argv.slice(2);
if (!args.includes('--minutes')) args.push('--minutes', '2');
if (!args.includes('--out')) args.push('--out', path.join(root, '.cache', 'demo-model'));
setup({ need: ['clang', 'lld'] });
run(process.execPath, [path.join(root, 'dist', 'cli.js'), 'train', ...args]);
