// The quality table of the README, reproducibly: for each corpus, split its files into training and held-out
// text, train the default model with `inkling train --minutes M`, then `inkling eval --json` on the held-out
// part with the baselines (n-gram, xz, PPMd) computed in the same run.
//
// Usage: node scripts/quality.mjs [--minutes 10] [--only name,name] [--skip-train] [--eval-args "..."]
//          [--python DIR] [--peer] [--train-args "..."]
// Corpora:
//   tinyshakespeare  the classic char-RNN corpus: first 90% to train on, last 10% held out
//                    (from the team's shared corpora folder beside the repository, or INKLING_SHARED_CORPORA)
//   tfjs-layers      the JavaScript and .d.ts sources of the installed @tensorflow/tfjs-layers package
//   types-node       the .d.ts sources of the installed @types/node package
//   python           with --python DIR: the .py files under DIR (e.g. the torch/nn folder of Debian's python3-torch)
//   For the codebases, every file whose path hashes to 0 mod 10 is held out (whole files, never trained on).
// --peer: also trains the same model in PyTorch (scripts/peer-curve.py, Debian's python3-torch) for the same
// minutes on the same training text, and reports its held-out bits/char of the LSTM alone (when torch imports).
// Results: .cache/quality/<corpus>/{train.json,eval.json}, and a Markdown table on stdout.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const minutes = opt('minutes', '10');
const only = opt('only', '')?.split(',').filter(Boolean) ?? [];
const skipTrain = args.includes('--skip-train');
// --table-only: print the table from the results of an earlier run.
const tableOnly = args.includes('--table-only');
const evalArgs = (opt('eval-args', '') ?? '').split(' ').filter(Boolean);
const trainArgs = (opt('train-args', '') ?? '').split(' ').filter(Boolean);
const pythonDir = opt('python', undefined);
const peer = args.includes('--peer');
const cli = path.join(root, 'dist', 'cli.js');
const work = path.join(root, '.cache', 'quality');

function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function walk(dir, keep, out = [], base = dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, keep, out, base);
    else if (e.isFile() && keep(path.relative(base, p))) out.push(path.relative(base, p));
  }
  return out;
}

function splitPackage(pkgDir, keep, dest) {
  const files = walk(pkgDir, keep);
  for (const rel of files) {
    const part = fnv1a(rel.split(path.sep).join('/')) % 10 === 0 ? 'test' : 'train';
    const to = path.join(dest, part, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(pkgDir, rel), to);
  }
}

const corpora = {
  tinyshakespeare(dest) {
    const shared = process.env.INKLING_SHARED_CORPORA ?? path.join(root, '..', 'shared', 'corpora');
    const text = fs.readFileSync(path.join(shared, 'tinyshakespeare.txt'), 'utf8');
    const cut = Math.floor(text.length * 0.9);
    for (const [part, body] of [['train', text.slice(0, cut)], ['test', text.slice(cut)]]) {
      fs.mkdirSync(path.join(dest, part), { recursive: true });
      fs.writeFileSync(path.join(dest, part, 'tinyshakespeare.txt'), body);
    }
  },
  'tfjs-layers'(dest) {
    const dir = path.join(root, 'node_modules', '@tensorflow', 'tfjs-layers', 'dist');
    // The package's sources compiled to ES2017, one module per file; not the single-file bundles.
    splitPackage(dir, (rel) => /\.(js|d\.ts)$/.test(rel) && !/^tf-layers/.test(rel), dest);
  },
  'types-node'(dest) {
    splitPackage(path.join(root, 'node_modules', '@types', 'node'), (rel) => rel.endsWith('.d.ts'), dest);
  },
  ...(pythonDir ? { python(dest) { splitPackage(path.resolve(pythonDir), (rel) => rel.endsWith('.py'), dest); } } : {}),
};

/** The PyTorch peer's held-out bits/char after the same budget, or a reason it did not run. */
function runPeer(dir) {
  const env = { ...process.env };
  // These two slow down a current OpenBLAS (see the environment notes); unset for the peer only.
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  try {
    execFileSync(python, ['-c', 'import torch'], { stdio: 'ignore', env });
  } catch {
    return { skipped: 'torch does not import' };
  }
  console.error(`== ${path.basename(dir)}: PyTorch peer for ${minutes} minutes`);
  const out = execFileSync(python, [path.join(root, 'scripts', 'peer-curve.py'), path.join(dir, 'train'), path.join(dir, 'test'),
    '--seconds', String(Number(minutes) * 60), '--test-chars', '1000000000'], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 });
  return JSON.parse(out.trim().split('\n')[0]);
}

const rows = [];
for (const [name, prepare] of Object.entries(corpora)) {
  if (only.length && !only.includes(name)) continue;
  const dir = path.join(work, name);
  if (tableOnly) {
    rows.push([name, lastJson(path.join(dir, 'eval.json')), lastJson(path.join(dir, 'train.json')), peerOf(dir)]);
    continue;
  }
  if (!skipTrain) {
    fs.rmSync(dir, { recursive: true, force: true });
    prepare(dir);
    console.error(`\n== ${name}: training for ${minutes} minutes`);
    const trained = execFileSync(process.execPath, [cli, 'train', path.join(dir, 'train'), '--out', path.join(dir, 'model'),
      '--minutes', minutes, '--json', ...trainArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 });
    fs.writeFileSync(path.join(dir, 'train.json'), trained);
  }
  console.error(`== ${name}: eval`);
  const evaluated = execFileSync(process.execPath, [cli, 'eval', path.join(dir, 'model'), path.join(dir, 'test'),
    '--train', path.join(dir, 'train'), '--json', ...evalArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 });
  fs.writeFileSync(path.join(dir, 'eval.json'), evaluated);
  if (peer) fs.writeFileSync(path.join(dir, 'peer.json'), JSON.stringify(runPeer(dir)));
  rows.push([name, lastJson(path.join(dir, 'eval.json')), lastJson(path.join(dir, 'train.json')), peerOf(dir)]);
}

function peerOf(dir) {
  const f = path.join(dir, 'peer.json');
  return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : undefined;
}

function lastJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8').trim().split('\n').pop());
}

const pct = (x) => (x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);
const bits = (x) => (typeof x === 'number' ? x.toFixed(3) : '–');
console.log('| corpus | training (10 min) | held-out chars | **Inkling** | LSTM alone | n-gram | n-gram, adaptive | xz | PPMd | Inkling saved (full / word) | n-gram saved (full / word) |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const [name, r, t] of rows) {
  const b = r.baselines ?? {};
  console.log(`| ${name} | ${t.steps} steps, ${t.charsPerSec} chars/s | ${r.chars} | **${bits(r.bitsPerChar)}** | ${bits(r.lstmBitsPerChar)} | ${bits(b.ngram?.bitsPerChar)} | ` +
    `${bits(b.ngramAdaptive?.bitsPerChar)} | ${bits(b.xz?.bitsPerChar)} | ${bits(b.ppmd?.bitsPerChar)} | ` +
    `${pct(r.keystrokeSavings?.full)} / ${pct(r.keystrokeSavings?.word)} | ${pct(b.ngram?.keystrokeSavings?.full)} / ${pct(b.ngram?.keystrokeSavings?.word)} |`);
}
// Ghost text as a person pays for it (inkling eval: precision, recall, suggestions right in full, keystrokes saved
// net of reading at the default confidence), for Inkling and for its n-gram part alone (what is shown before training).
console.log('');
console.log('| corpus | typed chars (files) | confidence | **Inkling** precision / recall | right in full | saved net of reading | n-gram part alone precision / recall | right in full | saved net of reading |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [name, r] of rows) {
  const n = r.ngramPart ?? {};
  console.log(`| ${name} | ${r.ghostTypedChars} (${r.ghostTypedFiles}) | ${r.confidence} | **${pct(r.precision)} / ${pct(r.recall)}** | ${pct(r.fullAcceptRate)} | ${pct(r.keystrokesSaved)} | ` +
    `${pct(n.precision)} / ${pct(n.recall)} | ${pct(n.fullAcceptRate)} | ${pct(n.keystrokesSaved)} |`);
}

// What the LSTM is worth (the table of issue 13): static = the LSTM's weights fixed; adapting = as the extension
// runs it (its output layer learns from every character it reads).
console.log('\n| corpus | LSTM alone (static / adapting) | n-gram (static) | n-gram + match part alone | mixture (static / adapting) | the LSTM adds (static / adapting) | PPMd | PyTorch peer, LSTM alone, same budget |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [name, r, t, p] of rows) {
  const b = r.baselines ?? {};
  const s = r.static ?? {};
  const peerCell = p === undefined ? '–' : p.heldOut !== undefined ? `${bits(p.heldOut)} (${p.steps} steps, ${p.charsPerSec} chars/s)` : p.skipped;
  console.log(`| ${name} (${t.steps} steps) | ${bits(s.lstmBitsPerChar)} / ${bits(r.lstmBitsPerChar)} | ${bits(b.ngram?.bitsPerChar)} | ${bits(r.ngramWithMatchesBitsPerChar)} | ` +
    `${bits(s.bitsPerChar)} / **${bits(r.bitsPerChar)}** | ${bits(s.lstmAdds)} / ${bits(r.lstmAdds)} | ${bits(b.ppmd?.bitsPerChar)} | ${peerCell} |`);
}
