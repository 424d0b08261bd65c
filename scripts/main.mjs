// The main job, from a fresh clone, in one command:
//   1. set up what is missing (Debian packages as root, npm packages, the build);
//   2. train with the headless CLI on a folder (Inkling's own sources when none is given) and print completions
//      of held-out text;
//   3. unless --headless (or CI / no terminal), start a real VS Code (the server build, in the browser) with
//      Inkling loaded on the same folder and print the address to open; Ctrl+C stops it.
// Usage: npm start -- [folder] [--minutes M] [--headless] [any other `inkling train` option]
import { spawn } from 'node:child_process';
import path from 'node:path';
import { root, run, setup } from './setup.mjs';

const args = process.argv.slice(2);
const headless = args.includes('--headless') || !!process.env.CI || !process.stdout.isTTY;
const trainArgs = args.filter((a) => a !== '--headless');
const folder = trainArgs[0] && !trainArgs[0].startsWith('-') ? path.resolve(trainArgs[0]) : root;
if (!trainArgs.includes('--minutes')) trainArgs.push('--minutes', '2');
if (!trainArgs.includes('--out')) trainArgs.push('--out', path.join(root, '.cache', 'demo-model'));

setup({ need: ['clang', 'lld'] });
run(process.execPath, [path.join(root, 'dist', 'cli.js'), 'train', ...trainArgs]);

if (headless) {
  console.log('\nHeadless run: done. (In a terminal, `npm start` also opens Inkling in a real VS Code.)');
} else {
  console.log(`\nStarting VS Code with Inkling on ${folder} (first time: installs the VS Code server, a few minutes).`);
  console.log('Open the address below in a browser; Inkling offers to train on the folder (or run "Inkling: Train on Workspace").');
  const server = spawn(process.execPath, [path.join(root, 'scripts', 'vscode-server.mjs'), 'serve', folder], { stdio: 'inherit' });
  process.on('SIGINT', () => server.kill('SIGINT'));
  server.on('exit', (code) => process.exit(code ?? 0));
}
